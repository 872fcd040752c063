using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>
/// What an operator submits: the grid axes (dataset x architecture x alpha x neuron x mode x seed) and the settings
/// every grid point shares. Expanded by <see cref="Policy.GridExpansion"/> into experiments with deterministic keys.
/// </summary>
[GenerateSerializer, Alias("StableSnn.SweepSpec")]
public sealed record SweepSpec
{
    /// <summary>Sweep id: lower-case letters, digits and '-'; part of every experiment key.</summary>
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string[] Datasets { get; init; } = [];
    [Id(2)] public string[] Architectures { get; init; } = [];
    /// <summary>Regularisation weights (the paper's rho), each >= 0.</summary>
    [Id(3)] public double[] Alphas { get; init; } = [];
    [Id(4)] public string[] Neurons { get; init; } = ["lif"];
    [Id(5)] public string[] Modes { get; init; } = ["at"];
    [Id(6)] public int[] Seeds { get; init; } = [42];
    [Id(7)] public int Epochs { get; init; } = 100;
    [Id(8)] public string AttackSuite { get; init; } = AttackSuiteNames.Default;
    [Id(9)] public TrainingSettings Training { get; init; } = new();
    [Id(10)] public ResourceRequest Resources { get; init; } = new();
    /// <summary>Higher runs first when sweeps compete for slots.</summary>
    [Id(11)] public int Priority { get; init; }
    /// <summary>At most this many experiments of the sweep hold slots at once; 0 means no limit.</summary>
    [Id(12)] public int MaxConcurrency { get; init; }
    /// <summary>Attempts per experiment before it is marked Failed (crashes and lost nodes only).</summary>
    [Id(13)] public int MaxAttempts { get; init; } = 3;
    /// <summary>Each grid point is tested against its twin at this alpha (same everything else) on the same images.</summary>
    [Id(14)] public double BaselineAlpha { get; init; }
    /// <summary>Adaptive search instead of (or, for algorithm grid, ranked over) the grid; null for a plain grid.</summary>
    [Id(15)] public Search.SearchSpec? Search { get; init; }

    /// <summary>A search that proposes its own trials (random, tpe, asha); a grid search runs the axes as they are.</summary>
    public bool ProposesTrials => Search is { Algorithm: not "grid" };

    /// <summary>The spec file the trainer runs for one grid point; unset training settings keep the trainer's defaults.</summary>
    public ExperimentSpec ExperimentSpec(GridPoint point, int? stopAtEpoch = null)
    {
        var defaults = new ExperimentSpec();
        var t = Training ?? new TrainingSettings();
        return new ExperimentSpec
        {
            Id = point.ExperimentKey(Name), Dataset = point.Dataset, Architecture = point.Architecture, Neuron = point.Neuron,
            Mode = point.Mode, Alpha = point.Alpha, Seed = point.Seed, Epochs = Epochs, AttackSuite = AttackSuite,
            DataRoot = t.DataRoot, BatchSize = t.BatchSize ?? defaults.BatchSize,
            LearningRate = point.LearningRate ?? t.LearningRate ?? defaults.LearningRate,
            TrainSubset = t.TrainSubset, TestSubset = t.TestSubset,
            ValidationFraction = t.ValidationFraction ?? defaults.ValidationFraction,
            TimeSteps = point.TimeSteps ?? t.TimeSteps ?? defaults.TimeSteps,
            AttackSubset = t.AttackSubset ?? defaults.AttackSubset, EvaluationSeed = t.EvaluationSeed ?? defaults.EvaluationSeed,
            StopAtEpoch = stopAtEpoch,
            Probe = stopAtEpoch is null || Search is null ? null : Search.Asha.Probe(Search.Objective.Epsilon255),
        };
    }
}

/// <summary>Training settings shared by every grid point; null keeps the trainer's default.</summary>
[GenerateSerializer, Alias("StableSnn.TrainingSettings")]
public sealed record TrainingSettings
{
    [Id(0)] public string? DataRoot { get; init; }
    [Id(1)] public int? BatchSize { get; init; }
    [Id(2)] public double? LearningRate { get; init; }
    [Id(3)] public int? TrainSubset { get; init; }
    [Id(4)] public int? TestSubset { get; init; }
    [Id(5)] public double? ValidationFraction { get; init; }
    [Id(6)] public int? TimeSteps { get; init; }
    [Id(7)] public int? AttackSubset { get; init; }
    /// <summary>Chooses the evaluation images for every grid cell and seed alike (default 0).</summary>
    [Id(8)] public int? EvaluationSeed { get; init; }
}

/// <summary>What one experiment needs from a slot.</summary>
[GenerateSerializer, Alias("StableSnn.ResourceRequest")]
public sealed record ResourceRequest
{
    /// <summary>any, gpu or cpu.</summary>
    [Id(0)] public string SlotKind { get; init; } = Vocabulary.AnySlot;
}
