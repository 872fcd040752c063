using StableSnn.Client.Results;

namespace StableSnn.Client.Studies;

/// <summary>A study's two figures, drawn by <see cref="RobustnessPlots.Render"/>: accuracy against alpha, and the paired differences.</summary>
public static class StudyPlots
{
    public const string AccuracyFile = "study-accuracy-vs-alpha.png", DifferenceFile = "study-paired-difference.png";

    /// <summary>Per arm: clean and worst case (means over seeds with intervals over seeds and images) and each seed's models as points.</summary>
    public static PlotFigure Accuracy(StudyResult study) => new(AccuracyFile,
        "Clean and worst-case accuracy against alpha (intervals over seeds and images)", "alpha (stability regulariser weight)", "accuracy (%), 95% interval",
        study.Arms.Select(arm => new PlotPanel(arm.Title,
        [
            new PlotSeries("clean, mean", SeriesRole.Clean, RobustnessPlots.OkabeIto[0],
                arm.Alphas.Select(a => new PlotPoint(a.Alpha, 100 * a.Clean, 100 * a.CleanInterval.Low, 100 * a.CleanInterval.High)).ToList()),
            new PlotSeries($"worst case {PivotFormat.Eps(study.Epsilon)}, mean", SeriesRole.WorstCase, RobustnessPlots.OkabeIto[1],
                arm.Alphas.Select(a => new PlotPoint(a.Alpha, 100 * a.Worst, 100 * a.WorstInterval.Low, 100 * a.WorstInterval.High)).ToList()),
            new PlotSeries("worst case, each seed", SeriesRole.Points, RobustnessPlots.OkabeIto[2],
                arm.Alphas.SelectMany(a => a.Cells.Select(c => Bare(a.Alpha, 100 * c.WorstAccuracy))).ToList()),
        ])).ToList());

    /// <summary>Per arm: each alpha minus the baseline, in points, worst case and clean, with their paired intervals; 0 drawn as a line.</summary>
    public static PlotFigure Difference(StudyResult study)
    {
        var panels = study.Arms.Where(a => a.Worst.Count > 0).Select(arm =>
        {
            var alphas = arm.Alphas.Select(a => a.Alpha).ToList();
            return new PlotPanel(arm.Title,
            [
                new PlotSeries($"worst case - alpha {PivotFormat.Alpha(study.Spec.BaselineAlpha)}", SeriesRole.WorstCase, RobustnessPlots.OkabeIto[1], Points(arm.Worst)),
                new PlotSeries($"clean - alpha {PivotFormat.Alpha(study.Spec.BaselineAlpha)}", SeriesRole.Clean, RobustnessPlots.OkabeIto[0], Points(arm.Clean)),
                new PlotSeries("no effect", SeriesRole.Attack, "#999999", [Bare(alphas.Min(), 0), Bare(alphas.Max(), 0)]),
            ]);
        }).ToList();
        var ends = panels.SelectMany(p => p.Series).SelectMany(s => s.Points).SelectMany(p => new[] { p.Low, p.High }).ToList();
        return new PlotFigure(DifferenceFile, "Paired difference from the baseline on the same images",
            "alpha (stability regulariser weight)", "difference (points), 95% interval", panels,
            YRange: ends.Count == 0 ? null : (Math.Floor(ends.Min()) - 2, Math.Ceiling(ends.Max()) + 2));
    }

    static List<PlotPoint> Points(IEnumerable<Comparison> comparisons) => comparisons
        .Select(c => new PlotPoint(c.Alpha, 100 * c.Difference, 100 * c.Interval.Low, 100 * c.Interval.High)).OrderBy(p => p.X).ToList();

    static PlotPoint Bare(double x, double y) => new(x, y, y, y);
}
