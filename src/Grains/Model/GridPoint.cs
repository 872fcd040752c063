using System.Globalization;

namespace StableSnn.Grains.Model;

/// <summary>
/// One cell of a sweep's grid, or one trial of a search (numbered, with the searched values it overrides). Its key is
/// deterministic, so the same cell can never become two experiments.
/// </summary>
[GenerateSerializer, Alias("StableSnn.GridPoint")]
public sealed record GridPoint(
    [property: Id(0)] string Dataset,
    [property: Id(1)] string Architecture,
    [property: Id(2)] string Neuron,
    [property: Id(3)] string Mode,
    [property: Id(4)] double Alpha,
    [property: Id(5)] int Seed)
{
    /// <summary>The search trial number; null for a grid point.</summary>
    [Id(6)] public int? Trial { get; init; }
    /// <summary>A searched learning rate; null keeps the sweep's.</summary>
    [Id(7)] public double? LearningRate { get; init; }
    /// <summary>Searched time steps T; null keeps the sweep's.</summary>
    [Id(8)] public int? TimeSteps { get; init; }

    /// <summary>
    /// "{sweep}/{dataset}/{architecture}/{neuron}/{mode}/{cell}/s{seed}", the cell "a{alpha}" (round-trip form) for a
    /// grid point and "t{trial}-a{alpha}[-lr{rate}][-T{steps}]" for a search trial (two trials may share an alpha).
    /// </summary>
    public string ExperimentKey(string sweep) => $"{sweep}/{GroupKey}/s{Seed}";

    /// <summary>
    /// An <see cref="ExperimentKey"/> split at its sweep name, for a key an operator typed; the engine carries the sweep
    /// name with every lease and experiment instead. Null without a '/'.
    /// </summary>
    public static (string Sweep, string Within)? SplitKey(string key) =>
        key.IndexOf('/') is > 0 and var at ? (key[..at], key[(at + 1)..]) : null;

    /// <summary>The grid point without its seed: the row of the results table that seeds are averaged over.</summary>
    public string GroupKey => $"{Dataset}/{Architecture}/{Neuron}/{Mode}/{Cell}";

    string Cell => Trial is { } trial
        ? $"{TrialLabel.Of(trial)}-a{R(Alpha)}{(LearningRate is { } lr ? $"-lr{R(lr)}" : "")}{(TimeSteps is { } t ? $"-T{t}" : "")}"
        : $"a{R(Alpha)}";

    static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
