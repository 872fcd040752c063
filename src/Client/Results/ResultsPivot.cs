using System.Globalization;
using StableSnn.Contracts;
using StableSnn.Grains.Results;

namespace StableSnn.Client.Results;

/// <summary>A column of the pivot: clean accuracy, one attack at one epsilon, or the worst case at one epsilon.</summary>
public sealed record PivotColumn(string Attack, double Epsilon)
{
    public bool IsClean => Attack == ResultRow.Clean;
    public bool IsWorstCase => Attack == StableSnn.Contracts.WorstCase.Label;
    /// <summary>"clean", "fgsm 8/255", "worst-case 8/255".</summary>
    public string Header => IsClean ? Attack : $"{Attack} {PivotFormat.Eps(Epsilon)}";
}

/// <summary>One grid point (without its seed) of the pivot: one cell per column, null where it was not measured.</summary>
public sealed record PivotRow(
    string Dataset, string Architecture, string Neuron, string Mode, double Alpha,
    int Seeds, int Examples, int Flagged, IReadOnlyList<string> Flags, IReadOnlyList<ResultRow?> Cells)
{
    /// <summary>The search trial of this row; null for a grid point.</summary>
    public int? Trial { get; init; }
    public string GridPoint => $"{Dataset} {Architecture} {Neuron} {Mode}" + (Trial is { } t ? $" trial {t}" : "");
    public bool AnyUnreliable => Cells.Any(c => c is { Unreliable: true });
}

/// <summary>
/// The results as one line per grid point (dataset, architecture, neuron, mode, alpha) and one column per measure:
/// clean, every attack at its epsilon (in the suite's order), then the per-example worst case at each epsilon. The
/// console table and report.html both show it; the CSV stays long.
/// </summary>
public sealed record ResultsPivot(IReadOnlyList<PivotColumn> Columns, IReadOnlyList<PivotRow> Rows, double BaselineAlpha)
{
    public static ResultsPivot Build(IReadOnlyList<ResultRow> table, double baselineAlpha = 0)
    {
        ArgumentNullException.ThrowIfNull(table);
        var measures = table.Select(r => new PivotColumn(r.Attack, r.Epsilon)).Distinct().ToList();
        var columns = measures.Where(c => c.IsClean)
            .Concat(measures.Where(c => !c.IsClean && !c.IsWorstCase))
            .Concat(measures.Where(c => c.IsWorstCase).OrderBy(c => c.Epsilon))
            .ToList();
        // The table is already ordered by grid point; GroupBy keeps first-seen order.
        var rows = table
            .GroupBy(r => (r.Dataset, r.Architecture, r.Neuron, r.Mode, r.Alpha, r.Trial))
            .Select(g =>
            {
                var cells = columns.Select(c => g.FirstOrDefault(r => r.Attack == c.Attack && r.Epsilon == c.Epsilon)).ToList();
                var first = g.First();
                return new PivotRow(first.Dataset, first.Architecture, first.Neuron, first.Mode, first.Alpha,
                    g.Max(r => r.Count), g.Max(r => r.Examples), g.Max(r => r.Flagged),
                    g.SelectMany(r => r.Flags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), cells)
                {
                    Trial = first.Trial,
                };
            })
            .ToList();
        return new ResultsPivot(columns, rows, baselineAlpha);
    }

    public bool HasPairedTests => Rows.Any(r => r.Cells.Any(c => c?.Delta is not null));
}

/// <summary>How numbers read in the console table and the report alike.</summary>
public static class PivotFormat
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Epsilon as k/255 where it is one (8/255), else as a number.</summary>
    public static string Eps(double epsilon)
    {
        var k = epsilon * 255;
        return Math.Abs(k - Math.Round(k)) < 1e-3 ? $"{Math.Round(k).ToString("0", Invariant)}/255" : epsilon.ToString("0.####", Invariant);
    }

    /// <summary>A fraction as a percentage with one decimal: 0.625 is "62.5".</summary>
    public static string Percent(double fraction) => (100 * fraction).ToString("F1", Invariant);

    /// <summary>"62.5% [52.7–71.4]": mean accuracy and its 95% interval.</summary>
    public static string Accuracy(ResultRow r) => $"{Percent(r.Mean)}% {Interval(r.Interval)}";

    /// <summary>"[52.7–71.4]": a 95% interval of an accuracy, in percent.</summary>
    public static string Interval(Interval i) => $"[{Percent(i.Low)}–{Percent(i.High)}]";

    /// <summary>"+3.0 p=0.012*": difference to the baseline twin in points, the McNemar p-value, * when p &lt; 0.05; "" without a test.</summary>
    public static string Paired(ResultRow r) => r.Delta is not { } d ? ""
        : $"{(d >= 0 ? "+" : "-")}{Percent(Math.Abs(d))}" + (r.PValue is { } p ? $" p={P(p)}{(r.Significant ? "*" : "")}" : "");

    public static string P(double p) => p.ToString(p < 0.001 ? "0.0e0" : "0.000", Invariant);

    public static string Alpha(double alpha) => alpha.ToString(Invariant);
}
