using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

public class AshaPolicyTests
{
    [Fact]
    public void RungsGrowByEtaUpToTheMaximum()
    {
        Assert.Equal([1, 3, 9, 27], new AshaPolicy(1, 3, 27).RungEpochs);
        Assert.Equal([1, 3, 9, 20], new AshaPolicy(1, 3, 20).RungEpochs);
        Assert.Equal([2, 4, 8, 10], new AshaPolicy(2, 2, 10).RungEpochs);
        Assert.Equal([5], new AshaPolicy(5, 3, 5).RungEpochs);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AshaPolicy(1, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AshaPolicy(10, 3, 5));
    }

    // Nine trials reach rung 0 in this order. Worked by hand (eta 3, slots = floor(n/3)):
    //  n  report     slots  top of the rung           decision
    //  1  t1 0.50    0      -                         t1 waits
    //  2  t2 0.70    0      -                         t2 waits
    //  3  t3 0.60    1      t2 0.70                   t3 stopped (cut-off 0.70); t2 promoted late
    //  4  t4 0.40    1      t2                        t4 stopped (0.70)
    //  5  t5 0.80    1      t5 0.80                   t5 promoted (cut-off its own 0.80)
    //  6  t6 0.55    2      t5, t2                    t6 stopped (0.70)
    //  7  t7 0.30    2      t5, t2                    t7 stopped (0.70)
    //  8  t8 0.65    2      t5, t2                    t8 stopped (0.70)
    //  9  t9 0.90    3      t9, t5, t2                t9 promoted (cut-off 0.70)
    private static readonly RungReport[] NineAtRungZero =
    [
        new(1, 0, 0.50), new(2, 0, 0.70), new(3, 0, 0.60), new(4, 0, 0.40), new(5, 0, 0.80),
        new(6, 0, 0.55), new(7, 0, 0.30), new(8, 0, 0.65), new(9, 0, 0.90),
    ];

    [Fact]
    public void HandWorkedRungZeroWithEtaThree()
    {
        var (state, steps) = new AshaPolicy(1, 3, 9).Replay(NineAtRungZero);
        Assert.Equal(
            [AshaAction.Wait, AshaAction.Wait, AshaAction.Stop, AshaAction.Stop, AshaAction.Promote,
             AshaAction.Stop, AshaAction.Stop, AshaAction.Stop, AshaAction.Promote],
            steps.Select(s => s.Decision.Action));
        Assert.Equal([null, null, 0.70, 0.70, 0.80, 0.70, 0.70, 0.70, 0.70], steps.Select(s => s.Decision.CutOff));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], steps.Select(s => s.Decision.TrialsAtRung));
        Assert.Equal([0, 0, 1, 1, 1, 2, 2, 2, 3], steps.Select(s => s.Decision.PromotionSlots));

        // t2 goes on when t3's report makes three, and only then.
        var late = Assert.Single(steps[2].LatePromotions);
        Assert.Equal((2, AshaAction.Promote, 3, 1, 0.70), (late.Trial, late.Action, late.TriggeredBy, late.Rank, late.CutOff));
        Assert.All(steps.Where((_, i) => i != 2), s => Assert.Empty(s.LatePromotions));

        var promoted = NineAtRungZero.Select(r => r.Trial).Where(t => state.IsPromoted(t, 0));
        Assert.Equal([2, 5, 9], promoted);
        Assert.Equal([9, 5, 2, 8, 3, 6, 1, 4, 7], state.Standing(0).Select(s => s.Trial));

        var t8 = steps[7].Decision;
        Assert.Equal((0.65, 3, 8), (t8.Score, t8.Rank, t8.TrialsAtRung));
        Assert.Equal("stopped at rung 0 (1 epoch): score 0.65 ranks 3 of 8; the top 2 go on, cut-off 0.7", t8.Explain());
        Assert.Equal("promoted from rung 0 (1 epoch) when t003 reported: score 0.7 ranks 1 of 3; the top 1 go on, cut-off 0.7", late.Explain());
    }

    [Fact]
    public void AWeakReportLetsTheNextBestThrough()
    {
        // eta 2: a 0.9 waits; b 0.8 makes two (a promoted late, b stopped at 0.9); c 0.1 stopped;
        // d 0.2 makes four, slots 2: b is now in the top two and is promoted late; d stopped at b's 0.8.
        var (_, steps) = new AshaPolicy(1, 2, 4).Replay([new(1, 0, 0.9), new(2, 0, 0.8), new(3, 0, 0.1), new(4, 0, 0.2)]);
        Assert.Equal([AshaAction.Wait, AshaAction.Stop, AshaAction.Stop, AshaAction.Stop], steps.Select(s => s.Decision.Action));
        Assert.Equal([1], steps[1].LatePromotions.Select(d => d.Trial));
        Assert.Empty(steps[2].LatePromotions);
        var b = Assert.Single(steps[3].LatePromotions);
        Assert.Equal((2, 2, 0.8, 4), (b.Trial, b.Rank, b.CutOff, b.TriggeredBy));
    }

    [Fact]
    public void HigherRungsAndCompletion()
    {
        var policy = new AshaPolicy(1, 3, 9); // rungs 1, 3, 9
        var history = NineAtRungZero.Concat([new RungReport(9, 1, 0.95), new(2, 1, 0.60), new(5, 1, 0.85), new(9, 2, 0.97)]);
        var (state, steps) = policy.Replay(history);
        Assert.Equal(AshaAction.Wait, steps[9].Decision.Action);
        Assert.Equal(AshaAction.Wait, steps[10].Decision.Action);
        Assert.Equal(AshaAction.Stop, steps[11].Decision.Action); // three at rung 1: t9 (0.95) goes on, t5 (0.85) does not
        Assert.Equal([9], steps[11].LatePromotions.Select(d => d.Trial));
        Assert.Equal((AshaAction.Complete, 9), (steps[12].Decision.Action, steps[12].Decision.RungEpochs));
        Assert.True(state.IsPromoted(9, 1));
        // A trial not promoted from rung 0 cannot report at rung 1.
        Assert.Throws<InvalidOperationException>(() => state.Apply(new RungReport(8, 1, 0.99)));
    }

    [Fact]
    public void ReplayAfterRestartGivesIdenticalDecisions()
    {
        var policy = new AshaPolicy(1, 3, 9);
        var history = NineAtRungZero.Concat([new RungReport(9, 1, 0.95), new(2, 1, 0.60), new(5, 1, 0.85)]).ToArray();
        var (_, uninterrupted) = policy.Replay(history);

        // The silo dies after five reports; the new activation rebuilds its state from the stored reports and goes on.
        var (rebuilt, replayed) = new AshaPolicy(1, 3, 9).Replay(history.Take(5));
        var after = new List<AshaStep>();
        foreach (var report in history.Skip(5))
        {
            var step = rebuilt.Apply(report);
            after.Add(step);
            rebuilt = step.State;
        }
        var resumed = replayed.Concat(after).ToList();
        Assert.Equal(uninterrupted.Select(s => s.Decision), resumed.Select(s => s.Decision));
        Assert.Equal(uninterrupted.SelectMany(s => s.LatePromotions), resumed.SelectMany(s => s.LatePromotions));
    }

    [Fact]
    public void ARepeatedReportChangesNothing()
    {
        var (state, _) = new AshaPolicy(1, 3, 9).Replay(NineAtRungZero.Take(3));
        var again = state.Apply(new RungReport(3, 0, 0.99)); // re-sent, with a different score: the first stands
        Assert.Same(state, again.State);
        Assert.Equal((AshaAction.Stop, 0.60, 3), (again.Decision.Action, again.Decision.Score, again.Decision.TrialsAtRung));
        Assert.Empty(again.LatePromotions);
        Assert.Equal(AshaAction.Promote, state.Apply(new RungReport(2, 0, 0.1)).Decision.Action);
    }

    [Fact]
    public void TiesGoToTheSmallerTrialNumberWhateverTheOrder()
    {
        var policy = new AshaPolicy(1, 3, 9);
        var (s1, _) = policy.Replay([new(2, 0, 0.5), new(1, 0, 0.5), new(3, 0, 0.5)]);
        var (s2, _) = policy.Replay([new(3, 0, 0.5), new(2, 0, 0.5), new(1, 0, 0.5)]);
        Assert.True(s1.IsPromoted(1, 0) && s2.IsPromoted(1, 0));
        Assert.False(s1.IsPromoted(2, 0) || s2.IsPromoted(2, 0));
    }

    [Fact]
    public void NaNScoresRankLast()
    {
        var (state, _) = new AshaPolicy(1, 3, 9).Replay([new(1, 0, double.NaN), new(2, 0, 0.1), new(3, 0, 0.2)]);
        Assert.Equal([3, 2, 1], state.Standing(0).Select(s => s.Trial));
        Assert.True(state.IsPromoted(3, 0));
    }
}
