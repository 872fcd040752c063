using System.Diagnostics;
using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

public class FairMatcherTests
{
    private static QueuedExperiment Q(string key, string sweep, long sequence, string kind = "any", int priority = 0) =>
        new(key, sweep, priority, kind, sequence);

    private static FreeSlot[] Slots(string kind, int count, string prefix = "") =>
        Enumerable.Range(0, count).Select(i => new FreeSlot($"{prefix}{kind}{i}", kind)).ToArray();

    private static List<QueuedExperiment> Sweep(string sweep, int count, long firstSequence, string kind = "any", int priority = 0) =>
        Enumerable.Range(0, count).Select(i => Q($"{sweep}/{i}", sweep, firstSequence + i, kind, priority)).ToList();

    private static IReadOnlyList<Assignment> Match(List<QueuedExperiment> queue, SweepLoad[] loads, FreeSlot[] slots)
    {
        var result = FairMatcher.Match(queue, loads, slots);
        MatcherCheck.AssertInvariants(queue, loads, slots, result);
        return result;
    }

    private static string[] Keys(IReadOnlyList<Assignment> result) => result.Select(a => a.ExperimentKey).ToArray();

    [Fact]
    public void NothingToDoGivesNothing()
    {
        Assert.Empty(FairMatcher.Match([], [], Slots("gpu", 2)));
        Assert.Empty(FairMatcher.Match(Sweep("a", 3, 0), [], []));
    }

    [Fact]
    public void EqualSweepsAlternateOldestHeadFirst()
    {
        var queue = Sweep("b", 5, 10).Concat(Sweep("a", 5, 0)).ToList();
        var result = Match(queue, [new("a", 0, 0), new("b", 0, 0)], Slots("cpu", 6));
        Assert.Equal(["a/0", "b/0", "a/1", "b/1", "a/2", "b/2"], Keys(result));
        Assert.Equal(["cpu0", "cpu1", "cpu2", "cpu3", "cpu4", "cpu5"], result.Select(a => a.SlotId));
    }

    [Fact]
    public void TiesOnRunningAndSequenceGoBySweepName()
    {
        var queue = new List<QueuedExperiment> { Q("zeta/0", "zeta", 1), Q("alpha/0", "alpha", 1) };
        Assert.Equal(["alpha/0"], Keys(Match(queue, [], Slots("gpu", 1))));
    }

    [Fact]
    public void RunningLeasesCountTowardsFairness()
    {
        var queue = Sweep("a", 5, 0).Concat(Sweep("b", 5, 100)).ToList();
        var result = Match(queue, [new("a", 2, 0), new("b", 0, 0)], Slots("gpu", 4));
        Assert.Equal(["b/0", "b/1", "a/0", "b/2"], Keys(result));
    }

    [Fact]
    public void HigherPriorityIsPlacedFirstRegardlessOfAgeOrLoad()
    {
        var queue = Sweep("low", 5, 0, priority: 0).Concat(Sweep("high", 2, 1000, priority: 5)).ToList();
        var result = Match(queue, [new("high", 10, 0)], Slots("cpu", 3));
        Assert.Equal(["high/0", "high/1", "low/0"], Keys(result));
    }

    [Fact]
    public void PriorityIsPerExperimentWithinASweep()
    {
        var queue = new List<QueuedExperiment> { Q("s/old", "s", 1), Q("s/urgent", "s", 9, priority: 1) };
        Assert.Equal(["s/urgent"], Keys(Match(queue, [], Slots("cpu", 1))));
    }

    [Fact]
    public void ConcurrencyLimitCountsRunningAndNewAssignments()
    {
        var queue = Sweep("a", 5, 0).Concat(Sweep("b", 5, 100)).ToList();
        var result = Match(queue, [new("a", 2, 3), new("b", 0, 0)], Slots("gpu", 5));
        Assert.Single(result, r => r.ExperimentKey.StartsWith("a/", StringComparison.Ordinal));
        Assert.Equal(4, result.Count(r => r.ExperimentKey.StartsWith("b/", StringComparison.Ordinal)));

        Assert.Empty(Match(Sweep("a", 3, 0), [new("a", 2, 2)], Slots("gpu", 2)));  // at its limit
        Assert.Empty(Match(Sweep("a", 3, 0), [new("a", 5, 2)], Slots("gpu", 2)));  // limit lowered below running
        Assert.Equal(2, Match(Sweep("a", 3, 0), [new("a", 50, 0)], Slots("gpu", 2)).Count); // 0 = no limit
    }

    [Fact]
    public void SweepWithoutALoadEntryIsUnlimitedAndIdle()
    {
        var queue = Sweep("known", 3, 0).Concat(Sweep("new", 3, 100)).ToList();
        var result = Match(queue, [new("known", 1, 0)], Slots("cpu", 3));
        Assert.Equal(["new/0", "known/0", "new/1"], Keys(result));
    }

    [Fact]
    public void SlotKindsAreRespected()
    {
        var queue = Sweep("g", 3, 0, "gpu").Concat(Sweep("c", 3, 10, "cpu")).ToList();
        var result = Match(queue, [], [.. Slots("cpu", 1), .. Slots("gpu", 1)]);
        Assert.Contains(new Assignment("g/0", "gpu0"), result);
        Assert.Contains(new Assignment("c/0", "cpu0"), result);
        Assert.Equal(2, result.Count);

        Assert.Empty(Match(Sweep("g", 3, 0, "gpu"), [], Slots("cpu", 4)));
        Assert.Empty(Match(Sweep("c", 3, 0, "cpu"), [], Slots("gpu", 4)));
    }

    [Fact]
    public void AnyTakesCpuWhenAGpuOnlyExperimentWantsTheGpu()
    {
        var queue = new List<QueuedExperiment> { Q("flex/0", "flex", 0, "any"), Q("gpu/0", "gpu", 1, "gpu", priority: -1) };
        var result = Match(queue, [], [.. Slots("gpu", 1), .. Slots("cpu", 1)]);
        Assert.Equal([new Assignment("flex/0", "cpu0"), new Assignment("gpu/0", "gpu0")], result);
    }

    [Fact]
    public void AnyTakesGpuWhenNoGpuOnlyExperimentCouldUseIt()
    {
        var queue = new List<QueuedExperiment> { Q("flex/0", "flex", 0, "any"), Q("cpu/0", "cpu", 1, "cpu") };
        var result = Match(queue, [], [.. Slots("gpu", 1), .. Slots("cpu", 1)]);
        Assert.Equal([new Assignment("flex/0", "gpu0"), new Assignment("cpu/0", "cpu0")], result);

        // A gpu-only experiment whose sweep is at its limit cannot use the gpu, so it does not count as demand.
        queue = [Q("flex/0", "flex", 0, "any"), Q("capped/0", "capped", 1, "gpu")];
        result = Match(queue, [new("capped", 1, 1)], [.. Slots("gpu", 1), .. Slots("cpu", 1)]);
        Assert.Equal([new Assignment("flex/0", "gpu0")], result);
    }

    [Fact]
    public void UnplaceableHeadDoesNotBlockItsSweep()
    {
        var queue = new List<QueuedExperiment> { Q("s/gpu", "s", 0, "gpu"), Q("s/cpu", "s", 1, "cpu"), Q("s/any", "s", 2) };
        Assert.Equal(["s/cpu", "s/any"], Keys(Match(queue, [], Slots("cpu", 5))));
    }

    [Fact]
    public void NoHeadOfLineBlockingAcrossSweepsOrPriorities()
    {
        var queue = Sweep("capped", 5, 0).Concat(Sweep("urgent", 5, 1, "gpu", priority: 9)).Concat(Sweep("free", 5, 50)).ToList();
        var result = Match(queue, [new("capped", 1, 1)], Slots("cpu", 3));
        Assert.Equal(["free/0", "free/1", "free/2"], Keys(result));
    }

    [Fact]
    public void NoExperimentOrSlotIsUsedTwice()
    {
        var queue = new List<QueuedExperiment> { Q("x", "s", 0), Q("x", "s", 1), Q("x", "t", 2, "gpu", 3), Q("y", "s", 3) };
        var slots = new FreeSlot[] { new("one", "gpu"), new("one", "cpu"), new("two", "cpu"), new("odd", "tpu") };
        var result = FairMatcher.Match(queue, [], slots);
        Assert.Equal([new Assignment("x", "one"), new Assignment("y", "two")], result);
    }

    [Fact]
    public void UnknownExperimentKindsAreIgnored() =>
        Assert.Equal(["s/1"], Keys(Match([Q("s/0", "s", 0, "tpu"), Q("s/1", "s", 1, "cpu")], [], Slots("cpu", 2))));

    [Fact]
    public void HundredThousandQueuedAcrossFiftySweepsIsSharedFairly()
    {
        var rng = new Random(7);
        var queue = Enumerable.Range(0, 100_000)
            .Select(i => Q($"k{i}", $"sweep{rng.Next(50):00}", rng.NextInt64(1_000_000_000))).ToList();
        var slots = Slots("gpu", 32).Concat(Slots("cpu", 32)).ToArray();
        var watch = Stopwatch.StartNew();
        var result = FairMatcher.Match(queue, [], slots);
        watch.Stop();

        Assert.Equal(64, result.Count);
        MatcherCheck.AssertInvariants(queue, [], slots, result);
        var sweepOf = queue.ToDictionary(e => e.Key, e => e.Sweep);
        var bySweep = result.GroupBy(a => sweepOf[a.ExperimentKey]).ToList();
        Assert.Equal(50, bySweep.Count);                                   // every sweep got one before any got two
        Assert.All(bySweep, g => Assert.InRange(g.Count(), 1, 2));
        foreach (var g in bySweep)                                          // and each got its oldest experiments
        {
            var oldest = queue.Where(e => e.Sweep == g.Key).OrderBy(e => e.Sequence).Take(g.Count()).Select(e => e.Key);
            Assert.Equal(oldest.Order(), g.Select(a => a.ExperimentKey).Order());
        }
        Console.WriteLine($"100k x 64 matched in {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void HundredThousandMixedQueuedRespectsEveryRule()
    {
        var rng = new Random(11);
        string[] kinds = ["any", "gpu", "cpu"];
        var queue = Enumerable.Range(0, 100_000)
            .Select(i => Q($"k{i}", $"sweep{rng.Next(50):00}", i, kinds[rng.Next(3)], rng.Next(3))).ToList();
        var loads = Enumerable.Range(0, 50).Select(s => new SweepLoad($"sweep{s:00}", rng.Next(4), rng.Next(6))).ToArray();
        var slots = Slots("gpu", 24).Concat(Slots("cpu", 40)).ToArray();
        var result = FairMatcher.Match(queue, loads, slots);
        Assert.Equal(64, result.Count);
        MatcherCheck.AssertInvariants(queue, loads, slots, result);
    }

    [Fact]
    public void RandomInputsAlwaysSatisfyTheRules()
    {
        var rng = new Random(2024);
        string[] kinds = ["any", "gpu", "cpu"];
        for (var round = 0; round < 300; round++)
        {
            var sweeps = rng.Next(1, 6);
            var queue = Enumerable.Range(0, rng.Next(0, 40))
                .Select(i => Q($"e{i}", $"s{rng.Next(sweeps)}", rng.Next(20), kinds[rng.Next(3)], rng.Next(3))).ToList();
            var loads = Enumerable.Range(0, sweeps).Where(_ => rng.Next(3) > 0)
                .Select(s => new SweepLoad($"s{s}", rng.Next(4), rng.Next(5))).ToArray();
            var slots = Slots("gpu", rng.Next(6)).Concat(Slots("cpu", rng.Next(6))).OrderBy(_ => rng.Next()).ToArray();
            var result = Match(queue, loads, slots);
            Assert.Equal(result, FairMatcher.Match(queue, loads, slots)); // deterministic
        }
    }
}
