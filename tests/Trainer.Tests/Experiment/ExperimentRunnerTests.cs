using StableSnn.Contracts;
using System.Text.Json;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Tests.Data;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

using StableSnn.TestSupport;

namespace StableSnn.Trainer.Tests.Experiment;

public class ExperimentRunnerTests
{
    /// <summary>Keeps every progress event (also used by the search rung tests).</summary>
    internal sealed class Collect : IProgressSink
    {
        public List<ProgressEvent> Events { get; } = [];
        public void Report(ProgressEvent e) => Events.Add(e);
    }

    [Fact]
    public void TrainsEvaluatesAndWritesTheResultFile()
    {
        using var toy = new ToyMnist();
        using var output = new TempDirectory();
        var progress = new Collect();

        var result = new ExperimentRunner(toy.Spec("at", epochs: 2), output.Path, progress, CPU).Run()!;

        Assert.True(result.CleanTestAccuracy > 0.9, $"clean accuracy {result.CleanTestAccuracy}");
        Assert.Equal(120, result.TestExamples);
        Assert.Equal("validation", result.Selection);
        Assert.Equal([1, 2], result.History.Select(h => h.Epoch));
        Assert.All(result.History, h => Assert.True(h.Regulariser > 0, "AT with alpha > 0 should report the regulariser"));
        Assert.True(File.Exists(result.Checkpoint));
        var onDisk = JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(Path.Combine(output.Path, "result.json")), ExperimentSpec.Json)!;
        Assert.Equal(result.CleanTestAccuracy, onDisk.CleanTestAccuracy);
        Assert.Equal("mnist", onDisk.Spec.Dataset);
        var phases = progress.Events.Select(e => e.Phase).Where((p, i) => i == 0 || p != progress.Events[i - 1].Phase);
        Assert.Equal([TrainerPhase.Start, TrainerPhase.Train, TrainerPhase.Epoch, TrainerPhase.Train, TrainerPhase.Epoch, TrainerPhase.Evaluate, TrainerPhase.Done], phases);
    }

    [Fact]
    public void AttackBatchIsMeasuredSizeForSmallCnnAndTrainingBatchOtherwise()
    {
        Assert.Equal(AttackPhase.SmallCnnAttackBatch, AttackPhase.AttackBatchSize(new ExperimentSpec { Architecture = "small-cnn", BatchSize = 64 }));
        Assert.Equal(512, AttackPhase.AttackBatchSize(new ExperimentSpec { Architecture = "small-cnn", BatchSize = 512 }));
        Assert.Equal(64, AttackPhase.AttackBatchSize(new ExperimentSpec { Architecture = "vgg11", BatchSize = 64 }));
    }

    [Fact]
    public void RerunAfterCompletionResumesInsteadOfRetraining()
    {
        using var toy = new ToyMnist();
        using var output = new TempDirectory();
        var first = new ExperimentRunner(toy.Spec(epochs: 1), output.Path, new Collect(), CPU).Run()!;
        var again = new ExperimentRunner(toy.Spec(epochs: 1), output.Path, new Collect(), CPU).Run()!;
        Assert.Equal(1, again.ResumedFromEpoch);
        Assert.Equal(first.CleanTestAccuracy, again.CleanTestAccuracy);
        Assert.Single(again.History);
    }

    [Fact]
    public void RefusesCheckpointsOfAnotherSpec()
    {
        using var toy = new ToyMnist();
        using var output = new TempDirectory();
        new ExperimentRunner(toy.Spec(epochs: 1), output.Path, new Collect(), CPU).Run();
        var other = toy.Spec(epochs: 1) with { Alpha = 2 };
        var error = Assert.Throws<CheckpointMismatchException>(() => new ExperimentRunner(other, output.Path, new Collect(), CPU).Run());
        Assert.Contains("different spec", error.Message);
    }

    static void Truncate(string file) { using var f = File.Open(file, FileMode.Open); f.SetLength(f.Length / 2); }

    [Fact]
    public void A_truncated_newest_checkpoint_is_reported_and_the_run_resumes_from_the_one_before_and_completes()
    {
        using var toy = new ToyMnist();
        using var output = new TempDirectory();
        new ExperimentRunner(toy.Spec(epochs: 2), output.Path, new Collect(), CPU).Run();
        File.Delete(Path.Combine(output.Path, "result.json"));
        Truncate(Path.Combine(output.Path, "checkpoints", "epoch-0002", "model.bin"));

        var progress = new Collect();
        var again = new ExperimentRunner(toy.Spec(epochs: 2), output.Path, progress, CPU).Run()!;

        Assert.Equal(1, again.ResumedFromEpoch);
        Assert.Equal([1, 2], again.History.Select(h => h.Epoch));
        var setAside = Assert.Single(progress.Events, e => e.Phase == TrainerPhase.CheckpointSetAside);
        Assert.Contains("checkpoint epoch-0002 set aside", setAside.Message);
        Assert.Contains("model.bin does not load (EndOfStreamException", setAside.Message);
        Assert.EndsWith("resuming after epoch 1", setAside.Message);
        Assert.True(File.Exists(Path.Combine(output.Path, "set-aside", "epoch-0002", "reason.txt")));
        Assert.True(File.Exists(Path.Combine(output.Path, "result.json")));
    }

    [Fact]
    public void When_no_checkpoint_loads_the_run_trains_from_the_same_fresh_weights_as_a_first_run()
    {
        using var toy = new ToyMnist();
        using var fresh = new TempDirectory();
        var first = new ExperimentRunner(toy.Spec(epochs: 1), fresh.Path, new Collect(), CPU).Run()!;
        using var output = new TempDirectory();
        new ExperimentRunner(toy.Spec(epochs: 1), output.Path, new Collect(), CPU).Run();
        File.Delete(Path.Combine(output.Path, "result.json"));
        // Garbage of the right length: the load fails part-way, after writing some tensors into the model.
        var model = Path.Combine(output.Path, "checkpoints", "epoch-0001", "model.bin");
        var bytes = File.ReadAllBytes(model);
        for (int i = bytes.Length / 2; i < bytes.Length; i++) bytes[i] = 0xFF;
        File.WriteAllBytes(model, bytes);

        var progress = new Collect();
        var again = new ExperimentRunner(toy.Spec(epochs: 1), output.Path, progress, CPU).Run()!;

        Assert.Equal(0, again.ResumedFromEpoch);
        Assert.EndsWith("training from scratch", Assert.Single(progress.Events, e => e.Phase == TrainerPhase.CheckpointSetAside).Message);
        Assert.Equal(first.History.Single().TrainLoss, again.History.Single().TrainLoss);
        Assert.Equal(first.CleanTestAccuracy, again.CleanTestAccuracy);
    }
}
