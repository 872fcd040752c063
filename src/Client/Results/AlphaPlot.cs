using StableSnn.Grains.Results;
using System.Globalization;
using ScottPlot;

namespace StableSnn.Client.Results;

/// <summary>One line of an alpha plot: its legend label and how many alphas it has points for.</summary>
public sealed record AlphaSeries(string Label, int Points);

/// <summary>What <see cref="AlphaPlot.Write"/> drew, so callers and tests can check it without reading pixels.</summary>
public sealed record AlphaPlotInfo(string Path, IReadOnlyList<AlphaSeries> Series);

/// <summary>The headline figure of a sweep: accuracy under attack against the regularisation weight alpha.</summary>
public static class AlphaPlot
{
    public const string XAxisLabel = "regularisation weight alpha";
    public const string YAxisLabel = "accuracy (%), 95% intervals; dotted: unreliable";
    public const string DefaultTitle = "Clean dashed, worst case bold, attacks thin";

    /// <summary>
    /// Draws mean accuracy (%) against alpha, one line per (dataset, architecture, neuron, mode, measure): clean
    /// accuracy (on the attacked images, dashed) and the per-example worst case in bold, each attack thin, numbers
    /// the masking checks doubt dotted and labelled unreliable. Error bars are the rows' 95% intervals (Wilson for one
    /// seed, Student-t over seeds). A series with a single alpha is drawn as a marker. Writes a PNG atomically.
    /// </summary>
    /// <exception cref="ArgumentException">The table has no rows.</exception>
    public static AlphaPlotInfo Write(IReadOnlyList<ResultRow> table, string path, int width = 900, int height = 600, string? title = null)
    {
        var png = Render(table, width, height, title, out var series);
        AtomicFile.Write(path, png);
        return new AlphaPlotInfo(Path.GetFullPath(path), series);
    }

    /// <summary>The same figure as PNG bytes (for report.html), with the series drawn.</summary>
    public static byte[] Render(IReadOnlyList<ResultRow> table, int width, int height, string? title, out IReadOnlyList<AlphaSeries> drawn)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        if (table.Count == 0) throw new ArgumentException("the results table is empty: no completed experiment to plot", nameof(table));

        var attacked = table.Where(r => r.Attack != ResultRow.Clean).ToList();
        var plotted = table.ToList();
        // Series in the table's order (it is deterministic), points sorted by alpha.
        var series = plotted
            .GroupBy(r => (r.Dataset, r.Architecture, r.Neuron, r.Mode, r.Attack, r.Epsilon))
            .Select(g => (Label: Label(g.First()) + (g.Any(r => r.Unreliable) ? " (unreliable)" : ""), Rows: g.OrderBy(r => r.Alpha).ToList()))
            .ToList();

        using var plot = new Plot();
        var info = new List<AlphaSeries>();
        // One colour per grid point without alpha (colour-blind-safe palette); the measure is the line's style.
        var palette = new ScottPlot.Palettes.ColorblindFriendly();
        var groups = series.Select(s => GroupOf(s.Rows[0])).Distinct().ToList();
        foreach (var (label, rows) in series)
        {
            var xs = rows.Select(r => r.Alpha).ToArray();
            var ys = rows.Select(r => r.Mean * 100).ToArray();
            // Wilson intervals are not symmetric: the longer side, so the bar never understates the uncertainty.
            var errors = rows.Select(r => 100 * Math.Max(r.Mean - r.Interval.Low, r.Interval.High - r.Mean)).ToArray();
            var first = rows[0];
            var headline = first.IsWorstCase || first.Attack == ResultRow.Clean;
            var color = palette.GetColor(groups.IndexOf(GroupOf(first)));
            var line = plot.Add.Scatter(xs, ys, headline ? color : color.WithAlpha(0.45));
            // Individual attacks stay out of the legend unless there is nothing else: it would outgrow the plot.
            if (headline || attacked.Count == 0) line.LegendText = label;
            line.MarkerSize = first.IsWorstCase ? 9 : headline ? 6 : 3;
            line.LineWidth = first.IsWorstCase ? 3.5f : headline ? 2.5f : 1;
            if (first.Attack == ResultRow.Clean) line.LinePattern = LinePattern.Dashed;
            if (rows.Any(r => r.Unreliable)) line.LinePattern = LinePattern.Dotted;
            if (errors.Any(e => e > 0) && headline)
            {
                var bars = plot.Add.ErrorBar(xs, ys, errors);
                bars.Color = color;
            }
            info.Add(new AlphaSeries(label, rows.Count));
        }

        var robust = attacked.Count > 0;
        plot.Title(title ?? (robust ? DefaultTitle : "Clean accuracy against alpha (no attack in the results)"));
        plot.XLabel(XAxisLabel);
        plot.YLabel(robust ? YAxisLabel : "clean accuracy (%)");
        plot.ShowLegend(Edge.Right); // beside the axes, so it never hides a point
        // A single alpha has no x extent of its own; widen it so the points sit in the middle, not on an edge.
        if (plotted.Select(r => r.Alpha).Distinct().Count() == 1)
        {
            var alpha = plotted[0].Alpha;
            var half = alpha == 0 ? 1 : Math.Abs(alpha) / 2;
            plot.Axes.AutoScale();
            plot.Axes.SetLimitsX(alpha - half, alpha + half);
        }

        drawn = info;
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static (string, string, string, string) GroupOf(ResultRow r) => (r.Dataset, r.Architecture, r.Neuron, r.Mode);

    private static string Label(ResultRow r)
    {
        var attack = r.Attack == ResultRow.Clean
            ? r.Attack
            : $"{r.Attack} eps={Commands.ResultsView.Eps(r.Epsilon)}";
        return $"{r.Dataset} {r.Architecture} {r.Neuron} {r.Mode}: {attack}";
    }
}
