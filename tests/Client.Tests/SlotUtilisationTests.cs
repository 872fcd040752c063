using StableSnn.Client.Results;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

public sealed class SlotUtilisationTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    static AttemptSpan Span(string slot, double from, double to, string exit = "Success") =>
        new($"e/{slot}/{from}", 1, "node", slot, T0.AddSeconds(from), T0.AddSeconds(to), exit);

    [Fact]
    public void BusyFractionIsBusySlotSecondsOverSlotsTimesWindow()
    {
        // Slot a: [0,40] and [42,100] -> 98 s busy, gap 2 s. Slot b: [10,60] -> 50 s. Window 100 s, 2 slots: 148 / 200.
        var summary = SlotUtilisation.Compute([Span("a", 0, 40), Span("a", 42, 100), Span("b", 10, 60)], T0, T0.AddSeconds(100), 2);
        Assert.Equal(148, summary.BusySeconds, 6);
        Assert.Equal(0.74, summary.BusyFraction, 6);
        Assert.Equal([2.0], summary.IdleGapsSeconds);
        Assert.Equal(3, summary.Attempts);
    }

    [Fact]
    public void OverlapsCountOnceAndTheWindowClipsAttempts()
    {
        // A lease expiry can leave two attempts overlapping on one slot: [0,30] and [20,50] cover 50 s, not 60.
        // The window [10,40] clips that to 30 s; a registered slot that never ran counts as idle.
        var summary = SlotUtilisation.Compute([Span("a", 0, 30), Span("a", 20, 50, "LeaseExpired")], T0.AddSeconds(10), T0.AddSeconds(40), 2);
        Assert.Equal(30, summary.BusySeconds, 6);
        Assert.Equal(0.5, summary.BusyFraction, 6);
        Assert.Empty(summary.IdleGapsSeconds);
    }

    [Fact]
    public void GapPercentilesAreNearestRank()
    {
        var spans = new[] { Span("a", 0, 1), Span("a", 2, 3), Span("a", 6, 7), Span("a", 10, 11) }; // gaps 1, 3, 3
        var summary = SlotUtilisation.Compute(spans, T0, T0.AddSeconds(11), 1);
        Assert.Equal([1.0, 3.0, 3.0], summary.IdleGapsSeconds);
        Assert.Equal(3, summary.GapPercentile(0.5), 6);
        Assert.Equal(1, summary.GapPercentile(0.2), 6);
        Assert.Contains("slots busy 36.4% of 0:11 (4 attempts on 1 slot;", summary.Describe());
    }

    [Fact]
    public void AWindowThatEndsBeforeItStartsIsRefused() =>
        Assert.Throws<ArgumentException>(() => SlotUtilisation.Compute([], T0, T0.AddSeconds(-1), 1));

    [Fact]
    public void AttemptsCsvAndTimelineAreWritten()
    {
        using var dir = new TempDirectory();
        var spans = new[] { Span("b", 5, 9, "Crash"), Span("a", 0, 4), Span("node/cpu0", 10, 12) };
        ResultsExport.WriteAttemptsCsv(spans, dir.File("attempts.csv"));
        var lines = File.ReadAllLines(dir.File("attempts.csv"));
        Assert.Equal(ResultsExport.AttemptsHeader, lines[0]);
        Assert.Equal("e/a/0,1,node,a,2026-11-28T12:00:00.0000000Z,2026-11-28T12:00:04.0000000Z,4,Success", lines[1]);
        Assert.EndsWith(",4,Crash", lines[2]);

        var rows = SlotTimeline.Write(spans, T0, dir.File("timeline.png"));
        Assert.Equal(["node/a", "node/b", "node/cpu0"], rows); // a slot id that names its node is not prefixed twice
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(dir.File("timeline.png"))[..4]);
    }
}
