using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>What a set of markers in a search figure stands for; it decides how they are drawn.</summary>
public enum TrialMark
{
    /// <summary>Completed and feasible: filled.</summary>
    Completed,
    /// <summary>Completed, masking checks fired: filled, warning colour.</summary>
    Doubted,
    /// <summary>Completed under the clean floor: filled grey.</summary>
    UnderFloor,
    /// <summary>Stopped at a rung, at its probe score: hollow.</summary>
    Stopped,
    /// <summary>A ring around the best trial.</summary>
    Best,
    /// <summary>The Pareto front as a step line through its trials.</summary>
    Front,
}

/// <summary>A trial's marker: x and y as drawn (for the alpha figure x is the axis position, see <see cref="SearchFigure"/>).</summary>
public sealed record TrialPoint(int Trial, double X, double Y);

public sealed record TrialSeries(string Name, TrialMark Mark, string Color, IReadOnlyList<TrialPoint> Points);

/// <summary>
/// A search figure's model, which tests inspect and <see cref="SearchPlots.Render"/> draws. <paramref name="XTicks"/>
/// label a log axis where set; <paramref name="AxisBreak"/> is where that axis breaks between alpha 0 and the first decade.
/// </summary>
public sealed record SearchFigure(
    string File, string Title, string XLabel, string YLabel, IReadOnlyList<TrialSeries> Series,
    IReadOnlyList<(double Position, string Label)>? XTicks = null, double? AxisBreak = null, double? CleanFloor = null)
{
    public const int Width = 760, Height = 520;
}

/// <summary>
/// The search's two figures: the objective against alpha (search.png) and clean against robust accuracy with the
/// Pareto front (pareto.png). Accuracy in percent, Okabe–Ito colours as in <see cref="RobustnessPlots"/>.
/// </summary>
public static class SearchPlots
{
    public const string AlphaFile = "search.png", ParetoFile = "pareto.png";

    static string Blue => RobustnessPlots.OkabeIto[2];
    static string Vermillion => RobustnessPlots.OkabeIto[1];
    static string Green => RobustnessPlots.OkabeIto[4];
    const string Grey = "#999999", Black = "#000000";

    /// <summary>
    /// Alpha on a log axis, alpha 0 a decade left of the smallest positive alpha behind a break; the objective's robust
    /// accuracy of completed trials filled (doubted ones vermillion, under the clean floor grey), stopped trials hollow at
    /// their last rung's probe score, and a ring around the best.
    /// </summary>
    public static SearchFigure AgainstAlpha(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var (position, ticks, axisBreak) = LogAlphaAxis(s.Trials.Select(t => t.Point.Alpha));
        var rows = SearchTable.ByTrial(s);
        var completed = rows.Where(r => r.Trial.Phase == ExperimentPhase.Completed && r.Objective is not null).ToList();
        TrialPoint Objective(SearchRow r) => new(r.Number, position(r.Trial.Point.Alpha), 100 * r.Objective!.Robust);
        var series = new List<TrialSeries>();
        Add(series, $"completed: {SearchTable.ObjectiveName(s.Spec)}", TrialMark.Completed, Blue,
            completed.Where(r => r.Objective!.Feasible && !r.Objective.Doubted).Select(Objective));
        Add(series, "completed, doubted (masking checks fired)", TrialMark.Doubted, Vermillion,
            completed.Where(r => r.Objective!.Doubted).Select(Objective));
        Add(series, $"completed, clean under the floor ({FloorText(s)})", TrialMark.UnderFloor, Grey,
            completed.Where(r => !r.Objective!.Feasible && !r.Objective.Doubted).Select(Objective));
        Add(series, "stopped at a rung (probe score)", TrialMark.Stopped, Black,
            rows.Where(r => r.IsStopped && r.LastProbe is not null)
                .Select(r => new TrialPoint(r.Number, position(r.Trial.Point.Alpha), 100 * r.LastProbe!.ProbeRobustAccuracy)));
        if (s.Best is { Objective: not null } best)
            Add(series, $"best: {TrialLabel.Of(best.Number)} (alpha {SearchTable.Number(best.Point.Alpha)})", TrialMark.Best, Green, [Objective(rows.Single(r => r.IsBest))]);
        return new SearchFigure(AlphaFile, $"Search: {SearchTable.ObjectiveName(s.Spec)} against alpha ({s.Spec.Algorithm})",
            axisBreak is null ? "alpha (log scale)" : "alpha (log scale; 0 left of the break)",
            $"robust accuracy (%), {SearchTable.ObjectiveName(s.Spec)}", series, ticks, axisBreak);
    }

    /// <summary>
    /// Clean (x) against the objective's robust accuracy (y) of every completed trial, the Pareto front as a step line
    /// (the edge of what the front dominates), the clean floor as a line, the best ringed.
    /// </summary>
    public static SearchFigure Pareto(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var rows = SearchTable.ByTrial(s).Where(r => r.Trial.Phase == ExperimentPhase.Completed && r.Objective is not null).ToList();
        TrialPoint Point(SearchRow r) => new(r.Number, 100 * r.Objective!.Clean, 100 * r.Objective.Robust);
        var series = new List<TrialSeries>();
        // Along the front clean rises as robust falls; between two trials the edge drops at the first, then runs on.
        // Drawn first, so the trials' markers lie on top of it.
        var front = s.ParetoFront.Select(n => rows.FirstOrDefault(r => r.Number == n)).OfType<SearchRow>().Select(Point).OrderBy(p => p.X).ToList();
        var steps = front.SelectMany((p, i) => i + 1 < front.Count ? new[] { p, p with { Trial = front[i + 1].Trial, Y = front[i + 1].Y } } : [p]);
        Add(series, "Pareto front", TrialMark.Front, Black, steps);
        Add(series, "completed trials", TrialMark.Completed, Blue, rows.Where(r => !r.Objective!.Doubted).Select(Point));
        Add(series, "completed, doubted (masking checks fired)", TrialMark.Doubted, Vermillion, rows.Where(r => r.Objective!.Doubted).Select(Point));
        if (rows.FirstOrDefault(r => r.IsBest) is { } best) Add(series, $"best: {best.Id}", TrialMark.Best, Green, [Point(best)]);
        return new SearchFigure(ParetoFile, "Search: clean against robust accuracy, Pareto front", "clean accuracy (%)",
            $"robust accuracy (%), {SearchTable.ObjectiveName(s.Spec)}", series,
            CleanFloor: s.Spec.Objective.CleanFloor is { } floor ? 100 * floor : null);
    }

    static void Add(List<TrialSeries> series, string name, TrialMark mark, string color, IEnumerable<TrialPoint> points)
    {
        var list = points.ToList();
        if (list.Count > 0) series.Add(new TrialSeries(name, mark, color, list));
    }

    static string FloorText(SearchSnapshot s) =>
        s.Spec.Objective.CleanFloor is { } f ? $"{PivotFormat.Percent(f)}%" : "no floor";

    /// <summary>
    /// Where an alpha sits on the axis: log10 for positive alphas, 0 a decade left of the first decade; ticks at each
    /// decade (labelled as numbers) and at 0; the break half-way between 0 and the first decade (null when no alpha is 0).
    /// </summary>
    public static (Func<double, double> Position, IReadOnlyList<(double, string)> Ticks, double? Break) LogAlphaAxis(IEnumerable<double> alphas)
    {
        var all = alphas.ToList();
        var positive = all.Where(a => a > 0).ToList();
        if (positive.Count == 0) return (_ => 0, [(0, "0")], null);
        int low = (int)Math.Floor(Math.Log10(positive.Min())), high = (int)Math.Ceiling(Math.Log10(positive.Max()));
        if (high == low) high++;
        double zero = low - 1;
        var ticks = Enumerable.Range(low, high - low + 1)
            .Select(k => ((double)k, Math.Pow(10, k).ToString(k < 0 ? $"F{-k}" : "0", System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        bool hasZero = all.Any(a => a <= 0);
        if (hasZero) ticks.Insert(0, (zero, "0"));
        return (a => a > 0 ? Math.Log10(a) : zero, ticks, hasZero ? zero + 0.5 : null);
    }

    /// <summary>Draws the figure as a PNG.</summary>
    public static byte[] Render(SearchFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        using var plot = new ScottPlot.Plot();
        foreach (var s in figure.Series)
        {
            var color = ScottPlot.Color.FromHex(s.Color);
            var x = s.Points.Select(p => p.X).ToArray();
            var y = s.Points.Select(p => p.Y).ToArray();
            var scatter = s.Mark == TrialMark.Front ? plot.Add.ScatterLine(x, y, color) : plot.Add.ScatterPoints(x, y, color);
            scatter.LegendText = s.Name;
            (scatter.MarkerShape, scatter.MarkerSize, scatter.MarkerLineWidth, scatter.LineWidth) = s.Mark switch
            {
                TrialMark.Stopped => (ScottPlot.MarkerShape.OpenCircle, 9f, 1.5f, 0f),
                TrialMark.Best => (ScottPlot.MarkerShape.OpenCircle, 22f, 3f, 0f),
                TrialMark.Front => (ScottPlot.MarkerShape.None, 0f, 0f, 2f),
                _ => (ScottPlot.MarkerShape.FilledCircle, 10f, 1f, 0f),
            };
            if (s.Mark == TrialMark.Best)
                foreach (var p in s.Points)
                {
                    var label = plot.Add.Text(TrialLabel.Of(p.Trial), p.X, p.Y);
                    (label.LabelFontColor, label.LabelFontSize, label.LabelBold, label.OffsetX, label.OffsetY) = (color, 12, true, 12, -14);
                }
        }
        if (figure.AxisBreak is { } at)
        {
            var gap = plot.Add.VerticalLine(at, 1.5f, ScottPlot.Color.FromHex(Grey), ScottPlot.LinePattern.Dashed);
            (gap.Text, gap.LabelFontSize, gap.ExcludeFromLegend) = ("axis break", 10, true);
        }
        if (figure.CleanFloor is { } floor)
        {
            var line = plot.Add.VerticalLine(floor, 1.5f, ScottPlot.Color.FromHex(Grey), ScottPlot.LinePattern.Dotted);
            line.LegendText = $"clean floor {floor.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}%";
        }
        plot.Title(figure.Title, size: 14);
        plot.XLabel(figure.XLabel, size: 12);
        plot.YLabel(figure.YLabel, size: 12);
        plot.Axes.AutoScale();
        if (figure.XTicks is { Count: > 0 } ticks)
        {
            var manual = new ScottPlot.TickGenerators.NumericManual();
            foreach (var (position, label) in ticks) manual.AddMajor(position, label);
            // Minor ticks at 2..9 times each decade mark the scale as logarithmic.
            foreach (var (position, _) in ticks.Where(t => t.Label != "0").SkipLast(1))
                for (var m = 2; m <= 9; m++) manual.AddMinor(position + Math.Log10(m));
            plot.Axes.Bottom.TickGenerator = manual;
            plot.Axes.SetLimitsX(ticks[0].Position - 0.4, ticks[^1].Position + 0.4);
        }
        // Robust accuracy keeps the full scale, as in the robustness plots; clean accuracy zooms to the trials.
        if (figure.File == AlphaFile) plot.Axes.SetLimitsY(-2, 102);
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        plot.Legend.FontSize = 11;
        return plot.GetImageBytes(SearchFigure.Width, SearchFigure.Height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Renders the figure and replaces <paramref name="path"/> atomically.</summary>
    public static void Write(SearchFigure figure, string path) => AtomicFile.Write(path, Render(figure));
}
