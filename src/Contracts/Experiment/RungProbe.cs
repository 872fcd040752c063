namespace StableSnn.Contracts;

/// <summary>
/// The cheap robustness probe a trial runs at each search rung: PGD with a random start, then a short Square attack on
/// the images PGD left correct, at the search objective's epsilon, on a fixed seeded subset of the validation split (of
/// the test subset when there is no validation split). The same images at every rung and for every trial, so scores
/// rank trials, not image draws. Square is gradient-free: a trial whose gradients vanish (masking) cannot rank high on
/// PGD alone and then lose its robustness to the full suite's Square.
/// </summary>
public sealed record RungProbe
{
    /// <summary>The probe's defaults, which a search's settings start from too.</summary>
    public const int DefaultSteps = 10, DefaultExamples = 256, DefaultSquareQueries = 100;

    /// <summary>In [0, 1] pixel units.</summary>
    public double Epsilon { get; init; } = 8 / 255.0;
    public int Steps { get; init; } = DefaultSteps;
    public int Examples { get; init; } = DefaultExamples;
    /// <summary>Square's query budget on the PGD survivors; 0 probes with PGD alone.</summary>
    public int SquareQueries { get; init; } = DefaultSquareQueries;

    public IReadOnlyList<string> Validate() => [.. Problems().Select(p => $"probe.{p.Field}: {p.Problem}")];

    /// <summary>Each setting out of range, by its name here ("steps"), with what is wrong: the one rule for probe settings.</summary>
    public IEnumerable<(string Field, string Problem)> Problems()
    {
        if (!(Epsilon is > 0 and <= 1)) yield return ("epsilon", $"{Epsilon} must be in (0, 1] (pixel units)");
        if (Steps < 1) yield return ("steps", $"{Steps} must be at least 1");
        if (Examples < 1) yield return ("examples", $"{Examples} must be at least 1");
        if (SquareQueries < 0) yield return ("squareQueries", $"{SquareQueries} must be >= 0 (0 probes with PGD alone)");
    }
}

/// <summary>What a trial measured at a rung (DIR/rungs/epoch-NNNN.json): the search ranks trials by it.</summary>
public sealed record RungResult
{
    public required int Epoch { get; init; }
    /// <summary>Clean accuracy of this epoch's weights on the whole validation split (the selection set).</summary>
    public required double ValidationAccuracy { get; init; }
    /// <summary>Clean accuracy, and accuracy under the probe (PGD, then Square on what PGD left), on the probe's images.</summary>
    public required double ProbeCleanAccuracy { get; init; }
    public required double ProbeRobustAccuracy { get; init; }
    public required int ProbeExamples { get; init; }
    public required string ProbeAttack { get; init; }
    public required double Epsilon { get; init; }
    public required double ProbeSeconds { get; init; }
    /// <summary>Per-image correctness under the probe (<see cref="ExampleMask"/>), the same images for every trial; null from older trainers.</summary>
    public string? Mask { get; init; }

    public static string PathFor(string outputDirectory, int epoch) =>
        System.IO.Path.Combine(outputDirectory, "rungs", $"epoch-{epoch:D4}.json");

    public static RungResult Read(string path) =>
        System.Text.Json.JsonSerializer.Deserialize<RungResult>(File.ReadAllText(path), ContractJson.Options)
        ?? throw new InvalidDataException($"{path} holds no rung result");
}
