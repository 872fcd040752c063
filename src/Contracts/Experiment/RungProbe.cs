namespace StableSnn.Contracts;

/// <summary>
/// The cheap robustness probe a trial runs at each search rung: the objective's own cascade at a smaller budget, APGD-CE
/// through the SNN-adaptive backward (the suite's headline gradient attack) for a few steps, then a short Square attack
/// on the images it left correct, at the search objective's epsilon, on a fixed seeded subset of the validation split
/// (of the test subset when there is no validation split): its score is a per-example worst case, as the objective's
/// is. The same images, in the same order, at every rung and for every trial, so scores rank trials, not image draws.
/// Square is gradient-free: a trial whose gradients vanish (masking) cannot rank high on the gradient attack alone and
/// then lose its robustness to the full suite's Square. With <see cref="EpochFraction"/> the probe stops adding images
/// once it has spent that share of the epoch it judges, so it never costs more than the training it ranks.
/// </summary>
public sealed record RungProbe
{
    /// <summary>The probe's defaults, which a search's settings start from too.</summary>
    public const int DefaultSteps = 10, DefaultExamples = 256, DefaultSquareQueries = 100;
    /// <summary>A time-capped probe still scores at least this many images (one batch), or its score would be noise.</summary>
    public const int MinExamples = 64;

    /// <summary>In [0, 1] pixel units.</summary>
    public double Epsilon { get; init; } = 8 / 255.0;
    public int Steps { get; init; } = DefaultSteps;
    public int Examples { get; init; } = DefaultExamples;
    /// <summary>Square's query budget on the gradient attack's survivors; 0 probes with the gradient attack alone.</summary>
    public int SquareQueries { get; init; } = DefaultSquareQueries;
    /// <summary>
    /// Stop adding images (a prefix of the seeded order, at least <see cref="MinExamples"/>) once the probe has spent
    /// this fraction of the seconds of the epoch it judges; null: always all <see cref="Examples"/>.
    /// </summary>
    public double? EpochFraction { get; init; }

    public IReadOnlyList<string> Validate() => [.. Problems().Select(p => $"probe.{p.Field}: {p.Problem}")];

    /// <summary>Each setting out of range, by its name here ("steps"), with what is wrong: the one rule for probe settings.</summary>
    public IEnumerable<(string Field, string Problem)> Problems()
    {
        if (!(Epsilon is > 0 and <= 1)) yield return ("epsilon", $"{Epsilon} must be in (0, 1] (pixel units)");
        if (Steps < 1) yield return ("steps", $"{Steps} must be at least 1");
        if (Examples < 1) yield return ("examples", $"{Examples} must be at least 1");
        if (SquareQueries < 0) yield return ("squareQueries", $"{SquareQueries} must be >= 0 (0 probes with the gradient attack alone)");
        if (EpochFraction is { } f && !(f is > 0 and <= 1)) yield return ("epochFraction", $"{f} must be in (0, 1] (a share of the epoch's seconds)");
    }
}

/// <summary>What a trial measured at a rung (DIR/rungs/epoch-NNNN.json): the search ranks trials by it.</summary>
public sealed record RungResult
{
    public required int Epoch { get; init; }
    /// <summary>Clean accuracy of this epoch's weights on the whole validation split (the selection set).</summary>
    public required double ValidationAccuracy { get; init; }
    /// <summary>Clean accuracy, and accuracy under the probe (the gradient attack, then Square on what it left), on the probe's images.</summary>
    public required double ProbeCleanAccuracy { get; init; }
    public required double ProbeRobustAccuracy { get; init; }
    public required int ProbeExamples { get; init; }
    public required string ProbeAttack { get; init; }
    public required double Epsilon { get; init; }
    public required double ProbeSeconds { get; init; }
    /// <summary>
    /// Per-image correctness under the probe (<see cref="ExampleMask"/>), a prefix of the same image order for every
    /// trial (a time-capped probe may score fewer); null from older trainers.
    /// </summary>
    public string? Mask { get; init; }
    /// <summary>The seconds the probe was allowed (its share of the epoch), when capped.</summary>
    public double? BudgetSeconds { get; init; }

    public static string PathFor(string outputDirectory, int epoch) =>
        System.IO.Path.Combine(outputDirectory, "rungs", $"epoch-{epoch:D4}.json");

    public static RungResult Read(string path) =>
        System.Text.Json.JsonSerializer.Deserialize<RungResult>(File.ReadAllText(path), ContractJson.Options)
        ?? throw new InvalidDataException($"{path} holds no rung result");
}
