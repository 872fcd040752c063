using StableSnn.Contracts;
using System.Text.Json;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Experiment;

/// <summary>
/// The last phase of an experiment, also runnable alone on any checkpoint: the attack suite on a fixed, seeded
/// test subset, with the masking checks. Transfer attacks name their source as an experiment output directory
/// (its result.json says which spec and weights to load).
/// </summary>
public static class AttackPhase
{
    /// <summary>
    /// The fixed evaluation subset: the same images for clean accuracy and every attack, chosen by the evaluation seed
    /// alone, so that every grid cell and training seed is scored on the same images.
    /// </summary>
    public static ImageDataset EvaluationSubset(ImageDataset test, ExperimentSpec spec) =>
        DataSplit.Subset(test, spec.AttackSubset, spec.EvaluationSeed + 2);

    /// <summary>
    /// Attack batch for small-cnn: throughput (PGD steps and Square queries per second) still rose from 64 to 256 images
    /// on 2 cores (bench/README.md, "Attack phase: before and after"), and one batch then holds a quickstart's whole
    /// cascade, so Square does not spend 1,000 iterations on a tail batch of a few images. 256 x T activations of
    /// small-cnn stay under a few hundred MB.
    /// </summary>
    public const int SmallCnnAttackBatch = 256;

    /// <summary>
    /// Images per attack batch. Results do not depend on it (per-example seeds), only time and memory do. The larger
    /// networks keep the training batch size: nothing was measured for them here, and it is known to fit in memory.
    /// </summary>
    public static int AttackBatchSize(ExperimentSpec spec) =>
        spec.Architecture == ArchitectureNames.SmallCnn ? Math.Max(spec.BatchSize, SmallCnnAttackBatch) : spec.BatchSize;

    /// <summary>
    /// Images per batch of a query-only attack (Square) on small-cnn: forward passes without a backward keep about a
    /// third of a gradient step's memory, so 1,024 images fit where 256 do for APGD, and a quickstart's or a study's
    /// whole subset runs Square's 5,000 queries as one batch instead of a full batch and a small tail batch.
    /// </summary>
    public const int SmallCnnQueryBatch = 1024;

    public static int? QueryBatchSize(ExperimentSpec spec) => spec.Architecture == "small-cnn" ? SmallCnnQueryBatch : null;

    public static SuiteResult Run(SpikingNetwork model, ExperimentSpec spec, ImageDataset test, Device device, IProgressSink progress,
        CancellationToken cancel = default)
    {
        var suite = SuiteCatalog.Resolve(spec.AttackSuite);
        using var subset = EvaluationSubset(test, spec);
        using var scope = NewDisposeScope();
        var images = subset.Images.to(device).to_type(ScalarType.Float32).div_(255);
        var labels = subset.Labels.to(device);
        var reporter = new Progress(progress);
        // Every attack and the clean pass run on a copy with batch norm folded into the convolutions (see BatchNormFolding).
        using var folded = BatchNormFolding.AttackCopy(model, () => Build(spec));
        return RobustnessEvaluator.Run(folded, suite, images, labels, AttackBatchSize(spec), spec.EvaluationSeed, reporter,
            new EvaluatorOptions(SourceModels: dir => LoadExperimentModel(dir, device), QueryBatchSize: QueryBatchSize(spec)), cancel);
    }

    /// <summary>Builds the network an experiment output directory describes, loads its selected weights and folds its batch norm (a transfer source for attacks).</summary>
    public static SpikingNetwork LoadExperimentModel(string experimentDirectory, Device device)
    {
        var resultPath = Path.Combine(experimentDirectory, "result.json");
        if (!File.Exists(resultPath))
            throw new SpecException($"transfer source '{experimentDirectory}' has no result.json; train that experiment first");
        var result = JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(resultPath), ExperimentSpec.Json)!;
        // Attacks craft on the source too: fold it like the target (it is loaded for this purpose only).
        return BatchNormFolding.Fold(LoadModel(result.Spec, result.Checkpoint, device));
    }

    public static SpikingNetwork LoadModel(ExperimentSpec spec, string checkpoint, Device device)
    {
        if (!File.Exists(checkpoint)) throw new SpecException($"checkpoint '{checkpoint}' does not exist");
        var model = Build(spec);
        model.load(checkpoint);
        model.to(device);
        model.eval();
        return model;
    }

    /// <summary>A freshly initialised network of the spec's architecture for its dataset (on the CPU).</summary>
    public static SpikingNetwork Build(ExperimentSpec spec)
    {
        var info = DatasetCatalog.Describe(spec.Dataset);
        return Architectures.Build(spec.Architecture, new InputShape(info.Channels, info.Height, info.Width),
            info.Classes, spec.NeuronOptions, info.Mean, info.Std);
    }

    /// <summary>Relays attack progress as trainer progress events, at most one per batch.</summary>
    sealed class Progress(IProgressSink sink) : IProgress<AttackProgress>
    {
        public void Report(AttackProgress p) => sink.Report(new ProgressEvent
        {
            Phase = TrainerPhase.Attack, Attack = p.Attack, Batch = p.Batch, Batches = p.Batches,
            Message = p.Iterations > 0 ? $"attack {p.AttackIndex}/{p.Attacks}, step {p.Iteration}/{p.Iterations} of batch {p.Batch + 1}"
                                       : $"attack {p.AttackIndex}/{p.Attacks}",
        });
    }
}
