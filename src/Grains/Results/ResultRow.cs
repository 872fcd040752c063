using System.Globalization;
using StableSnn.Contracts;

namespace StableSnn.Grains.Results;

/// <summary>
/// One line of the results table: a grid point without its seed, under one attack (or "clean", or the per-example
/// "worst-case" over the suite), over its seeds. Accuracies are fractions in [0, 1].
/// </summary>
public sealed record ResultRow(
    string Dataset,
    string Architecture,
    string Neuron,
    string Mode,
    double Alpha,
    string Attack,
    double Epsilon,
    double Mean,
    double Std,
    int Count,
    int Flagged,
    IReadOnlyList<string> Flags)
{
    /// <summary>The search trial this row belongs to (two trials may share an alpha); null for a grid point.</summary>
    public int? Trial { get; init; }

    /// <summary>The attack name used for the accuracy without attack, in tables, files and metrics alike.</summary>
    public const string Clean = "clean";

    /// <summary>95% interval: Wilson over the images for one seed, over seeds and images for more.</summary>
    public Interval Interval { get; init; } = new(0, 1);
    /// <summary>Images per seed the accuracy was measured on.</summary>
    public int Examples { get; init; }
    /// <summary>A masking check of some seed doubts this attack's number.</summary>
    public bool Unreliable { get; init; }
    /// <summary>Mean difference to the baseline twin (same everything, alpha = the baseline), when it was measured.</summary>
    public double? Delta { get; init; }
    /// <summary>Exact McNemar p-value of that difference, paired on the same images (discordant pairs pooled over seeds).</summary>
    public double? PValue { get; init; }

    /// <summary>For the worst case: some seed measured it below AutoAttack's standard budget (a looser upper bound).</summary>
    public bool BelowStandardBudget { get; init; }
    /// <summary>For the worst case: the budget in words (null when not recorded).</summary>
    public string? Budget { get; init; }

    public bool IsWorstCase => Attack == WorstCase.Label;

    /// <summary>"clean", or "NAME@EPSILON" for an attack (epsilon to 4 decimals): the metrics' attack label.</summary>
    public string Label => Attack == Clean ? Clean : $"{Attack}@{Epsilon.ToString("0.####", CultureInfo.InvariantCulture)}";

    /// <summary>Whether the difference to the baseline is significant at the 5% level.</summary>
    public bool Significant => PValue is < 0.05;
}
