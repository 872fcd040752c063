using System.Text.RegularExpressions;
using StableSnn.Grains.Results;

namespace StableSnn.Client.Results;

/// <summary>What a series stands for; it decides the line's weight.</summary>
public enum SeriesRole { Clean, WorstCase, Attack, Points }

/// <summary>One point with its 95% interval on y (percent).</summary>
public sealed record PlotPoint(double X, double Y, double Low, double High);

/// <summary>A line (or a set of markers) in a panel: its legend name, role, colour (#RRGGBB) and points sorted by x.</summary>
public sealed record PlotSeries(string Name, SeriesRole Role, string Color, IReadOnlyList<PlotPoint> Points, bool Unreliable = false)
{
    /// <summary>Clean and worst case: bold, with their intervals drawn.</summary>
    public bool Bold => Role is SeriesRole.Clean or SeriesRole.WorstCase;
}

public sealed record PlotPanel(string Title, IReadOnlyList<PlotSeries> Series);

/// <summary>
/// A figure of small multiples: the plot's model, which tests inspect and <see cref="RobustnessPlots.Render"/> draws.
/// <paramref name="XTicks"/>, when set, are the x positions and their labels (epsilon as k/255); <paramref name="YRange"/>
/// the y limits (default the accuracy scale, -2 to 102).
/// </summary>
public sealed record PlotFigure(
    string File, string Title, string XLabel, string YLabel, IReadOnlyList<PlotPanel> Panels,
    IReadOnlyList<(double Position, string Label)>? XTicks = null, (double Low, double High)? YRange = null)
{
    public const int PanelWidth = 440, PanelHeight = 400, MaxColumns = 3;
    public int Columns => Math.Min(MaxColumns, Panels.Count);
    public int Rows => (Panels.Count + Columns - 1) / Columns;
    public int Width => Columns * PanelWidth;
    public int Height => Rows * PanelHeight;
}

/// <summary>
/// The sweep's figures: robustness against alpha (a panel per grid group), against epsilon (when an attack runs at
/// several), and clean against worst-case accuracy coloured by alpha. Okabe–Ito colours, accuracy in percent.
/// </summary>
public static class RobustnessPlots
{
    public const string AlphaFile = "robustness-vs-alpha.png", EpsilonFile = "robustness-vs-epsilon.png", ScatterFile = "clean-vs-robust.png";

    /// <summary>Okabe &amp; Ito (2008), colour-blind safe: black, vermillion, blue, orange, bluish green, sky blue, reddish purple, yellow.</summary>
    public static readonly IReadOnlyList<string> OkabeIto = ["#000000", "#D55E00", "#0072B2", "#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#F0E442"];

    /// <summary>All figures the table supports, in the order the report shows them.</summary>
    public static IReadOnlyList<PlotFigure> All(IReadOnlyList<ResultRow> table)
    {
        var figures = new List<PlotFigure>();
        if (table.Count == 0) return figures;
        figures.Add(AgainstAlpha(table));
        if (AgainstEpsilon(table) is { } eps) figures.Add(eps);
        if (CleanAgainstRobust(table) is { } scatter) figures.Add(scatter);
        return figures;
    }

    static string Group(ResultRow r) => $"{r.Dataset} {r.Architecture} {r.Neuron} {r.Mode}";

    static PlotPoint Point(double x, ResultRow r) => new(x, 100 * r.Mean, 100 * r.Interval.Low, 100 * r.Interval.High);

    /// <summary>"clean", "worst case 8/255", "FGSM-8 8/255".</summary>
    public static string MeasureName(string attack, double epsilon) => attack switch
    {
        ResultRow.Clean => "clean",
        StableSnn.Contracts.WorstCase.Label => $"worst case {PivotFormat.Eps(epsilon)}",
        _ => $"{attack} {PivotFormat.Eps(epsilon)}",
    };

    /// <summary>
    /// One panel per (dataset, architecture, neuron, mode), alpha on x: clean (black) and the worst case (vermillion)
    /// bold with their intervals, every attack thin; a measure keeps its colour in every panel.
    /// </summary>
    public static PlotFigure AgainstAlpha(IReadOnlyList<ResultRow> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var measures = table.Select(r => (r.Attack, r.Epsilon)).Distinct().ToList();
        var worst = measures.Where(m => m.Attack == StableSnn.Contracts.WorstCase.Label).OrderBy(m => m.Epsilon).ToList();
        var attacks = measures.Where(m => m.Attack != ResultRow.Clean && m.Attack != StableSnn.Contracts.WorstCase.Label).ToList();
        string ColorOf((string Attack, double Epsilon) m) =>
            m.Attack == ResultRow.Clean ? OkabeIto[0]
            : worst.IndexOf(m) is >= 0 and var w ? (w == 0 ? OkabeIto[1] : OkabeIto[6])
            : OkabeIto[2 + attacks.IndexOf(m) % 4];
        var panels = table.GroupBy(Group).Select(g => new PlotPanel(g.Key,
            g.GroupBy(r => (r.Attack, r.Epsilon))
                .OrderBy(s => s.Key.Attack == ResultRow.Clean ? 0 : s.Key.Attack == StableSnn.Contracts.WorstCase.Label ? 1 : 2)
                .Select(s => new PlotSeries(
                    MeasureName(s.Key.Attack, s.Key.Epsilon) + (s.Any(r => r.Unreliable) ? " (unreliable)" : ""),
                    s.Key.Attack == ResultRow.Clean ? SeriesRole.Clean : s.Key.Attack == StableSnn.Contracts.WorstCase.Label ? SeriesRole.WorstCase : SeriesRole.Attack,
                    ColorOf(s.Key), s.OrderBy(r => r.Alpha).Select(r => Point(r.Alpha, r)).ToList(), s.Any(r => r.Unreliable)))
                .ToList())).ToList();
        return new PlotFigure(AlphaFile, "Accuracy against the regularisation weight alpha", "alpha",
            "accuracy (%), 95% interval", panels);
    }

    static readonly Regex EpsSuffix = new(@"-eps\d+$", RegexOptions.CultureInvariant);

    /// <summary>An attack's name without an epsilon suffix (PGD-10-eps8 and PGD-10-eps16 are one curve).</summary>
    public static string Family(string attack) => EpsSuffix.Replace(attack, "");

    /// <summary>
    /// When some attack (or the worst case) ran at several epsilons: one panel per grid group and such attack,
    /// epsilon on x labelled k/255, one line per alpha; null otherwise.
    /// </summary>
    public static PlotFigure? AgainstEpsilon(IReadOnlyList<ResultRow> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var curves = table.Where(r => r.Attack != ResultRow.Clean)
            .GroupBy(r => Family(r.Attack))
            .Where(f => f.Select(r => r.Epsilon).Distinct().Count() >= 2)
            .Select(f => f.Key).ToList();
        if (curves.Count == 0) return null;
        var alphas = table.Select(r => r.Alpha).Distinct().Order().ToList();
        var panels = table.GroupBy(Group)
            .SelectMany(g => curves.Select(family => new PlotPanel($"{g.Key}: {(family == StableSnn.Contracts.WorstCase.Label ? "worst case" : family)}",
                g.Where(r => r.Attack != ResultRow.Clean && Family(r.Attack) == family)
                    .GroupBy(r => r.Alpha).OrderBy(a => a.Key)
                    .Select(a => new PlotSeries($"alpha {PivotFormat.Alpha(a.Key)}" + (a.Any(r => r.Unreliable) ? " (unreliable)" : ""),
                        family == StableSnn.Contracts.WorstCase.Label ? SeriesRole.WorstCase : SeriesRole.Attack,
                        OkabeIto[alphas.IndexOf(a.Key) % OkabeIto.Count],
                        a.OrderBy(r => r.Epsilon).Select(r => Point(Math.Round(r.Epsilon * 255, 3), r)).ToList(), a.Any(r => r.Unreliable)))
                    .ToList())))
            .Where(p => p.Series.Count > 0).ToList();
        var ticks = table.Where(r => r.Attack != ResultRow.Clean && curves.Contains(Family(r.Attack)))
            .Select(r => r.Epsilon).Distinct().Order()
            .Select(e => (Math.Round(e * 255, 3), PivotFormat.Eps(e))).ToList();
        return new PlotFigure(EpsilonFile, "Robust accuracy against epsilon", "epsilon", "accuracy (%), 95% interval", panels, ticks);
    }

    /// <summary>
    /// Clean accuracy (x) against the worst case (y), one point per grid group and alpha, coloured by alpha; one panel
    /// per worst-case epsilon; null without a worst case.
    /// </summary>
    public static PlotFigure? CleanAgainstRobust(IReadOnlyList<ResultRow> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var epsilons = table.Where(r => r.IsWorstCase).Select(r => r.Epsilon).Distinct().Order().ToList();
        if (epsilons.Count == 0) return null;
        var alphas = table.Select(r => r.Alpha).Distinct().Order().ToList();
        var clean = table.Where(r => r.Attack == ResultRow.Clean).ToDictionary(r => (Group(r), r.Alpha, r.Trial));
        var panels = epsilons.Select(e => new PlotPanel($"worst case {PivotFormat.Eps(e)}",
            table.Where(r => r.IsWorstCase && r.Epsilon == e && clean.ContainsKey((Group(r), r.Alpha, r.Trial)))
                .GroupBy(r => r.Alpha).OrderBy(a => a.Key)
                .Select(a => new PlotSeries($"alpha {PivotFormat.Alpha(a.Key)}", SeriesRole.Points, OkabeIto[alphas.IndexOf(a.Key) % OkabeIto.Count],
                    a.Select(r => Point(100 * clean[(Group(r), r.Alpha, r.Trial)].Mean, r)).OrderBy(p => p.X).ToList()))
                .ToList())).ToList();
        return new PlotFigure(ScatterFile, "Clean against worst-case accuracy, by alpha", "clean accuracy (%)",
            "worst-case accuracy (%), 95% interval", panels);
    }

    /// <summary>Draws the figure as a PNG: panels in a grid of up to three columns, each a ScottPlot plot.</summary>
    public static byte[] Render(PlotFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        if (figure.Panels.Count == 0) throw new ArgumentException("the figure has no panel", nameof(figure));
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(figure.Width, figure.Height));
        var canvas = surface.Canvas;
        canvas.Clear(SkiaSharp.SKColors.White);
        for (var i = 0; i < figure.Panels.Count; i++)
        {
            var png = RenderPanel(figure, figure.Panels[i]);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            canvas.DrawBitmap(bitmap, i % figure.Columns * PlotFigure.PanelWidth, i / figure.Columns * PlotFigure.PanelHeight);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static byte[] RenderPanel(PlotFigure figure, PlotPanel panel)
    {
        using var plot = new ScottPlot.Plot();
        var xs = panel.Series.SelectMany(s => s.Points).Select(p => p.X).Distinct().ToList();
        foreach (var s in panel.Series)
        {
            var color = ScottPlot.Color.FromHex(s.Color);
            var x = s.Points.Select(p => p.X).ToArray();
            var y = s.Points.Select(p => p.Y).ToArray();
            if (s.Bold || s.Role == SeriesRole.Points)
            {
                if (s.Points.Count > 1 && s.Role != SeriesRole.Points)
                {
                    var fill = plot.Add.FillY(x, s.Points.Select(p => p.Low).ToArray(), s.Points.Select(p => p.High).ToArray());
                    fill.FillColor = color.WithAlpha(0.15);
                    fill.LineColor = ScottPlot.Colors.Transparent;
                }
                else
                {
                    // A single x (or a scatter): error bars, the longer side of the (asymmetric) interval.
                    var bars = plot.Add.ErrorBar(x, y, s.Points.Select(p => Math.Max(p.Y - p.Low, p.High - p.Y)).ToArray());
                    bars.Color = color.WithAlpha(0.6);
                }
            }
            var line = plot.Add.Scatter(x, y, s.Bold || s.Role == SeriesRole.Points ? color : color.WithAlpha(0.7));
            line.LegendText = s.Name;
            line.LineWidth = s.Role switch { SeriesRole.WorstCase => 3.5f, SeriesRole.Clean => 2.5f, SeriesRole.Points => 0, _ => 1 };
            line.MarkerSize = s.Role switch { SeriesRole.Points => 9, SeriesRole.WorstCase => 7, SeriesRole.Clean => 6, _ => 3 };
            if (s.Role == SeriesRole.Clean) line.LinePattern = ScottPlot.LinePattern.Dashed;
            if (s.Unreliable) line.LinePattern = ScottPlot.LinePattern.Dotted;
        }
        plot.Title(panel.Title, size: 13);
        plot.XLabel(figure.XLabel, size: 12);
        plot.YLabel(figure.YLabel, size: 12);
        if (figure.XTicks is { Count: > 0 } ticks)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        plot.Axes.AutoScale();
        if (xs.Count == 1)
        {
            var half = xs[0] == 0 ? 1 : Math.Abs(xs[0]) / 2;
            plot.Axes.SetLimitsX(xs[0] - half, xs[0] + half);
        }
        // Accuracy panels share one scale, so they compare at a glance.
        var (low, high) = figure.YRange ?? (-2, 102);
        plot.Axes.SetLimitsY(low, high);
        // Beneath the axes, in every panel, so panels keep the same data area and no legend hides a point.
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.Legend.FontSize = 10;
        return plot.GetImageBytes(PlotFigure.PanelWidth, PlotFigure.PanelHeight, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Renders the figure and replaces <paramref name="path"/> atomically.</summary>
    public static void Write(PlotFigure figure, string path) => AtomicFile.Write(path, Render(figure));
}
