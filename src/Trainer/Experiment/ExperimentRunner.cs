using StableSnn.Contracts;
using System.Diagnostics;
using System.Text.Json;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Diagnostics;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Experiment;

/// <summary>
/// One experiment attempt: load data, build the network, train (resuming from the newest complete checkpoint),
/// pick the best epoch, evaluate, and write result.json. All tensor work stays on the calling thread.
/// </summary>
public sealed class ExperimentRunner(ExperimentSpec spec, string outputDirectory, IProgressSink progress, Device device)
{
    static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(2);
    const int EvaluationBatch = 256;

    public string ResultPath => Path.Combine(outputDirectory, "result.json");

    /// <summary>
    /// Trains (to <see cref="ExperimentSpec.StopAtEpoch"/> when set), then either evaluates and attacks, returning the
    /// result, or probes the rung and returns null (rungs/epoch-N.json written).
    /// </summary>
    public ExperimentResult? Run(CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(outputDirectory);
        string hash = spec.TrainingHash();
        progress.Report(new ProgressEvent { Phase = TrainerPhase.Start, Message = $"{spec.Id} on {device.type}, spec {hash}" });

        var info = DatasetCatalog.Describe(spec.Dataset);
        ProcessMemory.Trace("before load");
        var (trainAll, testAll) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
        using var _testAll = testAll;
        var (train, validation) = SplitTraining(trainAll);
        using var _train = train;
        using var _validation = validation;
        using var test = DataSplit.Subset(testAll, spec.TestSubset, spec.EvaluationSeed + 1); // same images for every training seed
        var selection = validation.Count > 0 ? validation : test;
        ProcessMemory.Trace("after load");
        double loadSeconds = total.Elapsed.TotalSeconds;

        var options = spec.TrainingOptions;
        var (model, optimizer) = Build(info, options);
        using var _built = new Disposal(() => { optimizer.Dispose(); model.Dispose(); }); // whichever pair is current
        ProcessMemory.Trace("model built");
        var store = new CheckpointStore(outputDirectory);
        var resume = store.Resume(model, optimizer, hash);
        foreach (var bad in resume.SetAside)
        {
            progress.Report(new ProgressEvent
            {
                Phase = TrainerPhase.CheckpointSetAside, Checkpoint = bad.MovedTo,
                Message = $"checkpoint {Path.GetFileName(bad.Checkpoint)} set aside to {bad.MovedTo}: {bad.Reason}; " +
                    (resume.State is { } good ? $"resuming after epoch {good.CompletedEpochs}" : "training from scratch"),
            });
        }
        if (resume.State is null && resume.SetAside.Count > 0)
        {
            // A failed load may have written part of a checkpoint into them: start from the same fresh weights as a
            // first attempt.
            optimizer.Dispose();
            model.Dispose();
            (model, optimizer) = Build(info, options);
        }
        var state = resume.State ?? new CheckpointState(0, hash, spec.Seed, -1, 0, []);
        int resumedFrom = state.CompletedEpochs;
        if (resumedFrom > 0)
            progress.Report(new ProgressEvent { Phase = TrainerPhase.Resume, Epoch = resumedFrom, Message = $"resuming after epoch {resumedFrom}" });

        var step = new TrainingStep(model, optimizer, options, options.RatBeta ?? Architectures.RatBeta(spec.Architecture));
        var augmentation = info.UsesCifarAugmentation ? new Augmentation() : null;
        var trainClock = new Stopwatch();
        int stopAt = spec.StopAtEpoch is { } rung && rung < options.Epochs ? rung : options.Epochs;
        for (int epoch = state.CompletedEpochs; epoch < stopAt; epoch++)
        {
            trainClock.Start();
            var record = TrainEpoch(step, optimizer, options, train, selection, augmentation, epoch, cancel);
            trainClock.Stop();
            ProcessMemory.Trace($"epoch {epoch + 1}");
            bool improved = record.SelectionAccuracy > state.BestSelectionAccuracy;
            state = state with
            {
                CompletedEpochs = epoch + 1,
                BestSelectionAccuracy = improved ? record.SelectionAccuracy : state.BestSelectionAccuracy,
                BestEpoch = improved ? epoch + 1 : state.BestEpoch,
                History = [.. state.History, record],
            };
            var checkpoint = store.Save(model, optimizer, state);
            if (improved) store.PromoteBest(checkpoint);
            progress.Report(new ProgressEvent
            {
                Phase = TrainerPhase.Epoch, Epoch = epoch + 1, Epochs = options.Epochs, Loss = record.TrainLoss,
                Accuracy = record.SelectionAccuracy, Regulariser = record.Regulariser,
                ImagesPerSecond = record.ImagesPerSecond, Checkpoint = checkpoint,
            });
        }

        if (stopAt < options.Epochs)
        {
            ReportRung(model, selection, state, stopAt);
            return null;
        }

        var evaluateClock = Stopwatch.StartNew();
        if (store.LoadBest(model, state) is { } badBest)
            progress.Report(new ProgressEvent
            {
                Phase = TrainerPhase.CheckpointSetAside, Checkpoint = badBest.MovedTo,
                Message = $"best model set aside to {badBest.MovedTo}: {badBest.Reason}; made again from the checkpoint of epoch {state.BestEpoch}",
            });
        double testAccuracy = Evaluate(model, test);
        evaluateClock.Stop();
        ProcessMemory.Trace("evaluated");
        progress.Report(new ProgressEvent { Phase = TrainerPhase.Evaluate, Accuracy = testAccuracy, Checkpoint = store.BestModelPath });

        var attackClock = Stopwatch.StartNew();
        var attacks = spec.AttackSuite == AttackSuiteNames.None ? null : AttackPhase.Run(model, spec, testAll, device, progress, cancel);
        attackClock.Stop();

        var result = new ExperimentResult
        {
            Spec = spec, SpecHash = hash, Device = device.type.ToString(), Threads = get_num_threads(),
            CleanTestAccuracy = testAccuracy, TestExamples = test.Count,
            Selection = validation.Count > 0 ? "validation" : "test",
            BestEpoch = state.BestEpoch, BestSelectionAccuracy = state.BestSelectionAccuracy,
            ResumedFromEpoch = resumedFrom, History = state.History, Checkpoint = store.BestModelPath,
            Attacks = attacks,
            Timings = new Timings(loadSeconds, trainClock.Elapsed.TotalSeconds, evaluateClock.Elapsed.TotalSeconds,
                attackClock.Elapsed.TotalSeconds, total.Elapsed.TotalSeconds),
            PeakResidentMb = Math.Round(ProcessMemory.Now().PeakResidentMb, 1),
        };
        WriteResult(result);
        progress.Report(new ProgressEvent { Phase = TrainerPhase.Done, Accuracy = testAccuracy, Message = ResultPath });
        return result;
    }

    /// <summary>The network and its optimiser, initialised from the spec's seed: the same weights every time.</summary>
    (SpikingNetwork Model, OptimizerHelper Optimizer) Build(DatasetInfo info, TrainingOptions options)
    {
        manual_seed(spec.Seed);
        var model = Architectures.Build(spec.Architecture, new InputShape(info.Channels, info.Height, info.Width),
            info.Classes, spec.NeuronOptions, info.Mean, info.Std);
        model.to(device);
        var optimizer = optim.SGD(model.parameters(), options.LearningRate, options.Momentum,
            weight_decay: options.EffectiveWeightDecay);
        return (model, optimizer);
    }

    sealed class Disposal(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    /// <summary>
    /// A search rung: probe the weights of the epoch just trained (resumed from its checkpoint when the previous attempt
    /// died after saving it), then write the rung file atomically; the engine reads it when the process exits.
    /// </summary>
    void ReportRung(SpikingNetwork model, ImageDataset selection, CheckpointState state, int epoch)
    {
        var record = state.History.LastOrDefault(h => h.Epoch == epoch);
        double validation = record?.SelectionAccuracy ?? Evaluate(model, selection);
        var rung = RobustnessProbe.Run(model, spec.Probe ?? new RungProbe(), selection, spec.EvaluationSeed, epoch, validation, device,
            epochSeconds: record?.Seconds);
        var path = RungResult.PathFor(outputDirectory, epoch);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(rung, ExperimentSpec.Json));
        File.Move(path + ".tmp", path, overwrite: true);
        progress.Report(new ProgressEvent
        {
            Phase = TrainerPhase.Rung, Epoch = epoch, Epochs = spec.Epochs, Accuracy = rung.ProbeRobustAccuracy,
            Message = $"rung at epoch {epoch}: validation {validation:0.####}, {rung.ProbeAttack} {rung.ProbeRobustAccuracy:0.####} on {rung.ProbeExamples} images",
        });
    }

    /// <summary>
    /// The seeded training subset, split into train and validation. Takes ownership of the full training set and frees
    /// it (and the subset) as soon as the split is copied out: only the test set is needed again (by the attacks).
    /// </summary>
    (ImageDataset Train, ImageDataset Validation) SplitTraining(ImageDataset trainAll)
    {
        using (trainAll)
        using (var pool = DataSplit.Subset(trainAll, spec.TrainSubset, spec.Seed))
            return DataSplit.TrainValidation(pool, spec.ValidationFraction, spec.Seed);
    }

    EpochRecord TrainEpoch(TrainingStep step, OptimizerHelper optimizer, TrainingOptions options, ImageDataset train,
        ImageDataset selection, Augmentation? augmentation, int epoch, CancellationToken cancel)
    {
        double lr = options.LearningRateAt(epoch);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        // Every epoch reseeds from (seed, epoch): a resumed run replays the same noise, order and row choices.
        int epochSeed = unchecked(spec.Seed * 1_000_003 + epoch);
        manual_seed(epochSeed);
        var weightRng = new Random(epochSeed);

        int batches = (train.Count + options.BatchSize - 1) / options.BatchSize, batch = 0;
        double lossSum = 0, regSum = 0;
        long correct = 0, seen = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        foreach (var (images, labels) in BatchIterator.Batches(train, options.BatchSize, shuffle: true, epochSeed, augmentation, device))
        {
            using var x = images;
            using var y = labels;
            cancel.ThrowIfCancellationRequested();
            var m = step.Run(x, y, weightRng);
            batch++;
            if (batch is 1 or 10 or 50) ProcessMemory.Trace($"epoch {epoch + 1} batch {batch}");
            lossSum += m.Loss * m.Count;
            regSum += m.Regulariser * m.Count;
            correct += m.Correct;
            seen += m.Count;
            if (clock.Elapsed - lastReport >= ReportEvery || batch == batches)
            {
                lastReport = clock.Elapsed;
                progress.Report(new ProgressEvent
                {
                    Phase = TrainerPhase.Train, Epoch = epoch + 1, Epochs = options.Epochs, Batch = batch, Batches = batches,
                    Loss = lossSum / seen, Accuracy = (double)correct / seen, Regulariser = regSum / seen,
                    ImagesPerSecond = seen / clock.Elapsed.TotalSeconds,
                });
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double selectionAccuracy = Evaluate(step.Model, selection);
        return new EpochRecord(epoch + 1, lr, lossSum / seen, (double)correct / seen, regSum / seen, selectionAccuracy,
            seconds, seen / seconds);
    }

    /// <summary>Clean accuracy in eval mode (BN running statistics), without gradients.</summary>
    public double Evaluate(SpikingNetwork model, ImageDataset data)
    {
        model.eval();
        using var _ = no_grad();
        long correct = 0;
        foreach (var (images, labels) in BatchIterator.Batches(data, EvaluationBatch, shuffle: false, 0, null, device))
        {
            using var x = images;
            using var y = labels;
            using var scope = NewDisposeScope();
            correct += model.forward(x).argmax(1).eq(y).sum().item<long>();
        }
        return data.Count == 0 ? 0 : (double)correct / data.Count;
    }

    void WriteResult(ExperimentResult result)
    {
        var temp = ResultPath + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(result, ExperimentSpec.Json));
        File.Move(temp, ResultPath, overwrite: true);
    }
}
