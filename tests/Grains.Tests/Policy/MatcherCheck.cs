using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

/// <summary>Rules every <see cref="FairMatcher"/> answer must satisfy, whatever the input.</summary>
internal static class MatcherCheck
{
    public static void AssertInvariants(
        IReadOnlyList<QueuedExperiment> queue, IReadOnlyList<SweepLoad> loads, IReadOnlyList<FreeSlot> slots,
        IReadOnlyList<Assignment> result)
    {
        var experiments = queue.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.First());
        var slotKinds = slots.GroupBy(s => s.SlotId).ToDictionary(g => g.Key, g => g.First().Kind);
        Assert.Equal(result.Count, result.Select(a => a.ExperimentKey).Distinct().Count());
        Assert.Equal(result.Count, result.Select(a => a.SlotId).Distinct().Count());

        var assigned = new Dictionary<string, string>();
        foreach (var a in result)
        {
            var e = experiments[a.ExperimentKey];
            Assert.True(Fits(e.SlotKind, slotKinds[a.SlotId]), $"{e.Key} ({e.SlotKind}) on {a.SlotId}");
            assigned[e.Key] = slotKinds[a.SlotId];
        }

        var added = result.GroupBy(a => experiments[a.ExperimentKey].Sweep).ToDictionary(g => g.Key, g => g.Count());
        var limits = loads.GroupBy(l => l.Sweep).ToDictionary(g => g.Key, g => g.First());
        foreach (var (sweep, count) in added)
            if (limits.GetValueOrDefault(sweep) is { MaxConcurrency: > 0 } load)
                Assert.True(load.Running + count <= load.MaxConcurrency, $"{sweep} over its limit");
        bool HasRoom(string sweep) =>
            limits.GetValueOrDefault(sweep) is not { MaxConcurrency: > 0 } load
            || load.Running + added.GetValueOrDefault(sweep) < load.MaxConcurrency;

        var placed = experiments.Values.Where(e => assigned.ContainsKey(e.Key)).ToList();
        var leftKinds = slotKinds.Where(s => !result.Any(a => a.SlotId == s.Key)).Select(s => s.Value).ToHashSet();
        foreach (var u in experiments.Values.Where(e => !assigned.ContainsKey(e.Key) && HasRoom(e.Sweep)))
        {
            // Maximal: a waiting experiment with room left has no usable slot left over.
            Assert.False(leftKinds.Any(k => Fits(u.SlotKind, k)), $"{u.Key} left waiting beside a free slot");
            foreach (var e in placed.Where(e => Fits(u.SlotKind, assigned[e.Key])))
            {
                // Strict priority, and FIFO within a sweep: nothing younger or lower took a slot u could have used.
                Assert.False(e.Priority < u.Priority, $"{e.Key} (priority {e.Priority}) placed before {u.Key} ({u.Priority})");
                Assert.False(e.Sweep == u.Sweep && e.Priority == u.Priority && e.Sequence > u.Sequence, $"{e.Key} jumped ahead of {u.Key}");
            }
        }
    }

    public static bool Fits(string wanted, string slotKind) => wanted == "any" ? slotKind is "gpu" or "cpu" : wanted == slotKind;
}
