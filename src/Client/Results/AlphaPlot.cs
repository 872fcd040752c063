using StableSnn.Grains.Results;

namespace StableSnn.Client.Results;

/// <summary>One line of an alpha plot: "panel: series" and how many alphas it has points for.</summary>
public sealed record AlphaSeries(string Label, int Points);

/// <summary>What <see cref="AlphaPlot.Write"/> drew, so callers and tests can check it without reading pixels.</summary>
public sealed record AlphaPlotInfo(string Path, PlotFigure Figure)
{
    public IReadOnlyList<AlphaSeries> Series =>
        Figure.Panels.SelectMany(p => p.Series.Select(s => new AlphaSeries($"{p.Title}: {s.Name}", s.Points.Count))).ToList();
}

/// <summary>The headline figure of a sweep: accuracy under attack against the regularisation weight alpha.</summary>
public static class AlphaPlot
{
    /// <summary>
    /// Draws <see cref="RobustnessPlots.AgainstAlpha"/>: a panel per (dataset, architecture, neuron, mode), clean and
    /// the worst case bold with their 95% intervals, each attack thin, unreliable ones dotted. Writes a PNG atomically.
    /// </summary>
    /// <exception cref="ArgumentException">The table has no rows.</exception>
    public static AlphaPlotInfo Write(IReadOnlyList<ResultRow> table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Count == 0) throw new ArgumentException("the results table is empty: no completed experiment to plot", nameof(table));
        var figure = RobustnessPlots.AgainstAlpha(table);
        RobustnessPlots.Write(figure, path);
        return new AlphaPlotInfo(Path.GetFullPath(path), figure);
    }
}
