
namespace StableSnn.Contracts;

public sealed record Timings(double LoadSeconds, double TrainSeconds, double EvaluateSeconds, double AttackSeconds, double TotalSeconds);

/// <summary>The trainer's final file, DIR/result.json: what was run, what it measured, and which weights.</summary>
public sealed record ExperimentResult
{
    public required ExperimentSpec Spec { get; init; }
    public required string SpecHash { get; init; }
    public required string Device { get; init; }
    public required int Threads { get; init; }
    /// <summary>Clean accuracy of the selected weights on the test subset.</summary>
    public required double CleanTestAccuracy { get; init; }
    public required int TestExamples { get; init; }
    /// <summary>"validation" (held-out split of the training set) or "test" (the paper's choice).</summary>
    public required string Selection { get; init; }
    public required int BestEpoch { get; init; }
    public required double BestSelectionAccuracy { get; init; }
    /// <summary>Epochs already done when this attempt started (0 for a fresh run).</summary>
    public required int ResumedFromEpoch { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }
    /// <summary>The weights every number here refers to.</summary>
    public required string Checkpoint { get; init; }
    /// <summary>Attack suite results with their masking flags; null when the spec's suite is "none".</summary>
    public SuiteResult? Attacks { get; init; }
    public required Timings Timings { get; init; }
    /// <summary>
    /// The trainer process's peak resident memory over this attempt (VmHWM, MB; 0 where /proc is missing): what a node
    /// must budget per slot for this experiment's dataset, architecture and batch size.
    /// </summary>
    public double PeakResidentMb { get; init; }

    public const string FileName = "result.json";

    /// <summary>Reads a result file the trainer wrote.</summary>
    public static ExperimentResult Read(string path) =>
        System.Text.Json.JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(path), ContractJson.Options)
        ?? throw new InvalidDataException($"{path} holds no experiment result");
}
