namespace StableSnn.Grains.Policy;

/// <summary>
/// Assigns queued experiments to free slots. Pure and deterministic, so the scheduler grain can be tested without a
/// cluster and a replayed call gives the same answer.
/// <list type="bullet">
/// <item>Higher priority first, strictly: a lower priority only gets slots the higher ones cannot use.</item>
/// <item>Within a priority, each slot goes to the sweep with the fewest running (Running plus assignments made in
/// this call), ties to the oldest head of queue, then the sweep name; two equal sweeps therefore alternate.</item>
/// <item>Within a sweep, FIFO by Sequence; a sweep never exceeds MaxConcurrency (0 = no limit). A sweep missing
/// from the loads has nothing running and no limit; a sweep listed twice uses its first entry.</item>
/// <item>gpu-only experiments get gpu slots, cpu-only cpu slots, 'any' either (see <see cref="MatcherSlots.Take"/>).
/// An experiment with no usable slot is skipped, never blocking others behind it.</item>
/// <item>Each key and slot id is used at most once; experiments or slots of unknown kind are ignored.</item>
/// </list>
/// Cost: O(n log n) to sort the queue, then O((slots + sweeps per priority) log sweeps) to match.
/// </summary>
public static class FairMatcher
{
    public static IReadOnlyList<Assignment> Match(
        IReadOnlyList<QueuedExperiment> queue, IReadOnlyList<SweepLoad> loads, IReadOnlyList<FreeSlot> slots)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(loads);
        ArgumentNullException.ThrowIfNull(slots);
        var free = new MatcherSlots(slots);
        var assignments = new List<Assignment>();
        if (free.IsEmpty) return assignments;

        var sweeps = new Dictionary<string, MatcherSweep>(StringComparer.Ordinal);
        foreach (var load in loads)
            if (load?.Sweep is not null) sweeps.TryAdd(load.Sweep, new MatcherSweep(load.Sweep, load.Running, load.MaxConcurrency));
        var levels = Levels(queue, sweeps);
        // Gpu-only experiments that could still take a gpu slot; while > 0, 'any' experiments prefer cpu slots.
        var gpuDemand = sweeps.Values.Where(s => s.HasCapacity).Sum(s => (long)s.GpuOnlyWaiting);

        var heap = new PriorityQueue<MatcherLane, LaneKey>();
        foreach (var level in levels)
        {
            if (free.IsEmpty) break;
            heap.Clear();
            foreach (var lane in level)
                if (lane.TryKey(free, out var key)) heap.Enqueue(lane, key);
            while (!free.IsEmpty && heap.TryDequeue(out var lane, out var key))
            {
                // Keys only grow (running rises, slot kinds run out), so a stale key is re-queued, never lost.
                if (!lane.TryKey(free, out var current)) continue;
                if (current != key) { heap.Enqueue(lane, current); continue; }

                var (experiment, kind) = lane.Take(free);
                var slot = free.Take(kind, gpuDemand > 0);
                var sweep = lane.Sweep;
                if (kind == MatcherSlots.Gpu) { sweep.GpuOnlyWaiting--; gpuDemand--; }
                sweep.Running++;
                if (!sweep.HasCapacity) gpuDemand -= sweep.GpuOnlyWaiting;
                assignments.Add(new Assignment(experiment.Key, slot.SlotId));
                if (lane.TryKey(free, out var next)) heap.Enqueue(lane, next);
            }
        }
        return assignments;
    }

    /// <summary>Priority descending, then enqueue order; the rest only makes duplicate keys resolve the same way every time.</summary>
    private static int Placement(QueuedExperiment a, QueuedExperiment b)
    {
        var c = b.Priority.CompareTo(a.Priority);
        if (c == 0) c = a.Sequence.CompareTo(b.Sequence);
        if (c == 0) c = string.CompareOrdinal(a.Key, b.Key);
        if (c == 0) c = string.CompareOrdinal(a.Sweep, b.Sweep);
        return c != 0 ? c : string.CompareOrdinal(a.SlotKind, b.SlotKind);
    }

    /// <summary>Lanes grouped by priority, highest first; each lane's queues in (Sequence, Key) order; duplicate keys dropped.</summary>
    private static List<List<MatcherLane>> Levels(IReadOnlyList<QueuedExperiment> queue, Dictionary<string, MatcherSweep> sweeps)
    {
        var ordered = new List<QueuedExperiment>(queue.Count);
        foreach (var experiment in queue)
            if (experiment?.Key is not null && experiment.Sweep is not null && MatcherSlots.KindIndex(experiment.SlotKind) >= 0)
                ordered.Add(experiment);
        ordered.Sort(Placement);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var levels = new List<List<MatcherLane>>();
        var lanes = new Dictionary<string, MatcherLane>(StringComparer.Ordinal);
        int? priority = null;
        foreach (var experiment in ordered)
        {
            if (!seen.Add(experiment.Key)) continue;
            if (experiment.Priority != priority)
            {
                (priority, lanes) = (experiment.Priority, new Dictionary<string, MatcherLane>(StringComparer.Ordinal));
                levels.Add([]);
            }
            if (!sweeps.TryGetValue(experiment.Sweep, out var sweep))
                sweeps[experiment.Sweep] = sweep = new MatcherSweep(experiment.Sweep, 0, 0);
            if (!lanes.TryGetValue(experiment.Sweep, out var lane))
            {
                lanes[experiment.Sweep] = lane = new MatcherLane(sweep);
                levels[^1].Add(lane);
            }
            var kind = MatcherSlots.KindIndex(experiment.SlotKind);
            lane.Add(experiment, kind);
            if (kind == MatcherSlots.Gpu) sweep.GpuOnlyWaiting++;
        }
        return levels;
    }
}
