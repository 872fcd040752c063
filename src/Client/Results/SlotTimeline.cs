using ScottPlot;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>A Gantt chart of a sweep: one row per slot, one bar per attempt, so idle gaps and retries are visible.</summary>
public static class SlotTimeline
{
    /// <summary>Draws the attempts (green: completed, red: anything else) in minutes since <paramref name="from"/>; returns the rows drawn.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyCollection<AttemptSpan> spans, DateTimeOffset from, string path, int width = 1000, int height = 0)
    {
        AtomicFile.Write(path, Render(spans, from, width, height, out var rows));
        return rows;
    }

    /// <summary>The same chart as PNG bytes (for report.html).</summary>
    public static byte[] Render(IReadOnlyCollection<AttemptSpan> spans, DateTimeOffset from, int width, int height) =>
        Render(spans, from, width, height, out _);

    static byte[] Render(IReadOnlyCollection<AttemptSpan> spans, DateTimeOffset from, int width, int height, out IReadOnlyList<string> drawn)
    {
        if (spans.Count == 0) throw new ArgumentException("no finished attempt to draw", nameof(spans));
        var rows = spans.Select(Label).Distinct().Order(StringComparer.Ordinal).ToList();
        using var plot = new Plot();
        foreach (var s in spans)
        {
            int row = rows.IndexOf(Label(s));
            var bar = plot.Add.Rectangle((s.Start - from).TotalMinutes, (s.End - from).TotalMinutes, row - 0.35, row + 0.35);
            // A search trial paused at its rung ended as asked: not a failure.
            bar.FillColor = s.Exit == nameof(ExitReason.Success) ? Colors.SeaGreen
                : s.Exit == nameof(ExitReason.RungReached) ? Colors.SteelBlue : Colors.IndianRed;
            bar.LineColor = Colors.Black.WithAlpha(0.4);
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray(), rows.ToArray());
        plot.Axes.SetLimitsY(rows.Count - 0.5, -0.5); // first slot on top
        plot.Title("Slot timeline (green: succeeded, blue: paused at a search rung, red: crashed, failed, cancelled or cut off)");
        plot.XLabel("minutes since the sweep was submitted");
        drawn = rows;
        return plot.GetImageBytes(width, height > 0 ? height : Math.Max(200, 120 + 28 * rows.Count), ImageFormat.Png);
    }

    // Slot ids already start with their node ("vm/cpu0"); older attempt records may hold the bare slot name.
    static string Label(AttemptSpan s) => s.Slot.StartsWith(s.Node + "/", StringComparison.Ordinal) ? s.Slot : $"{s.Node}/{s.Slot}";
}
