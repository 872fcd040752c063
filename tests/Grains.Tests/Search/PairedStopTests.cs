using StableSnn.Contracts;
using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

/// <summary>Stops only on a paired test against the rung's leader (issue 26, part 2), worked by hand on 20 probe images.</summary>
public class PairedStopTests
{
    // eta 2, slots = floor(n/2). Trial t is right on probe images 0 .. right-1:
    //  n  report       slots  top (by rank)   test against the leader t0 (only t0, only t)   decision
    //  1  t0 15 (.75)  0      -               -                                             waits
    //  2  t1 14 (.70)  1      t0              1, 0: p = 1                                   held; t0 promoted late
    //  3  t2  5 (.25)  1      t0              10, 0: p = 2/2^10 = 0.002                     stopped
    //  4  t3  2 (.10)  2      t0, t1          13, 0: p = 2/2^13                             stopped; t1 promoted late
    //  5  t4  4 (.20)  2      t0, t1          11, 0: p = 2/2^11                             stopped
    //  6  t5  1 (.05)  3      t0, t1, t2      14, 0                                         stopped; t2 is in the top 3
    //                                                                                      but stays stopped (classic
    //                                                                                      ASHA promotes it here)
    static RungReport Report(int trial, int right) => new(trial, 0, right / 20.0)
    {
        Mask = ExampleMask.Pack([.. Enumerable.Range(0, 20).Select(i => i < right)]), Examples = 20,
    };

    static readonly RungReport[] Reports = [Report(0, 15), Report(1, 14), Report(2, 5), Report(3, 2), Report(4, 4), Report(5, 1)];

    [Fact]
    public void ATrialIsStoppedOnlyWhenThePairedTestSaysItIsWorseThanTheLeader()
    {
        var (state, steps) = new AshaPolicy(1, 2, 4, stopSignificance: 0.05).Replay(Reports);
        Assert.Equal([AshaAction.Wait, AshaAction.Hold, AshaAction.Stop, AshaAction.Stop, AshaAction.Stop, AshaAction.Stop],
            steps.Select(s => s.Decision.Action));
        Assert.Equal([[0], [], [1], [], []], steps.Skip(1).Select(s => s.LatePromotions.Select(d => d.Trial).ToArray()));
        Assert.Equal(new PairedTest(0, 1, 0, 1.0, 0.05), steps[1].Decision.Test);
        var stopped = steps[2].Decision.Test!;
        Assert.Equal((0, 10, 0), (stopped.Leader, stopped.OnlyLeader, stopped.OnlyTrial));
        Assert.Equal(2 / 1024.0, steps[2].Decision.Test!.P, 12);
        Assert.Equal(2 / 8192.0, steps[3].Decision.Test!.P, 12);
        Assert.True(state.IsStoppedByTest(2, 0));
        Assert.False(state.IsStoppedByTest(1, 0));
        Assert.True(state.IsPromoted(1, 0));
        Assert.False(state.IsPromoted(2, 0)); // in the top 3 once t5 reported, but stopped for good
        Assert.Equal(
            "held at rung 0 (1 epoch): score 0.7 ranks 2 of 2; the top 1 go on, cut-off 0.75; within paired noise of the leader " +
            "(1 probe images robust for the leader t000 only, 0 for this trial only, McNemar p = 1.000 >= 0.05), so it stays eligible for promotion",
            steps[1].Decision.Explain());
        Assert.Equal(
            "stopped at rung 0 (1 epoch): score 0.25 ranks 3 of 3; the top 1 go on, cut-off 0.75; worse than the leader beyond paired noise " +
            "(10 probe images robust for the leader t000 only, 0 for this trial only, McNemar p = 0.002 < 0.05), so never promoted",
            steps[2].Decision.Explain());
    }

    [Fact]
    public void ClassicAshaPromotesAStoppedTrialLateWhereThePairedRuleDoesNot()
    {
        var (classic, steps) = new AshaPolicy(1, 2, 4).Replay(Reports);
        Assert.Equal([2], steps[^1].LatePromotions.Select(d => d.Trial));
        Assert.True(classic.IsPromoted(2, 0));
        Assert.All(steps.Select(s => s.Decision.Test), Assert.Null);
    }

    [Fact]
    public void WithoutProbeMasksTheDecisionsAreClassicAsha()
    {
        // Older trainers and stored searches kept no per-image results: nothing can be tested, so nothing is held or
        // stopped for good; the decisions (and their words) are classic ASHA's.
        var bare = Reports.Select(r => r with { Mask = null, Examples = 0 }).ToArray();
        var (_, classic) = new AshaPolicy(1, 2, 4).Replay(bare);
        var (state, steps) = new AshaPolicy(1, 2, 4, stopSignificance: 0.05).Replay(bare);
        Assert.Equal(classic.Select(s => s.Decision.Explain()), steps.Select(s => s.Decision.Explain()));
        Assert.DoesNotContain(steps, s => s.Decision.Action == AshaAction.Hold || s.Decision.Test is not null);
        Assert.True(state.IsPromoted(2, 0));
    }

    [Fact]
    public void AReplayAfterARestartGivesTheSameTestsAndDecisions()
    {
        var policy = new AshaPolicy(1, 2, 4, stopSignificance: 0.05);
        var (_, first) = policy.Replay(Reports);
        var (_, again) = policy.Replay(Reports);
        Assert.Equal(first.Select(s => s.Decision.Explain()), again.Select(s => s.Decision.Explain()));
    }

    [Fact]
    public void ProbesOfDifferentLengthArePairedOnTheImagesBothScored()
    {
        // A time-capped probe scores a prefix of the same seeded order. The leader t0 on 20 images (right on 0-14), the
        // trial t1 on its first 12 (right on 0-1): on images 0-11, 10 robust for t0 only, 0 for t1: p = 2/2^10.
        RungReport Prefix(int trial, int right, int examples) => new(trial, 0, right / (double)examples)
        {
            Mask = ExampleMask.Pack([.. Enumerable.Range(0, examples).Select(i => i < right)]), Examples = examples,
        };
        var (_, steps) = new AshaPolicy(1, 2, 4, stopSignificance: 0.05).Replay([Prefix(0, 15, 20), Prefix(1, 2, 12)]);
        var test = steps[1].Decision.Test!;
        Assert.Equal((10, 0), (test.OnlyLeader, test.OnlyTrial));
        Assert.Equal(2 / 1024.0, test.P, 12);
        Assert.Equal(AshaAction.Stop, steps[1].Decision.Action);
    }
}
