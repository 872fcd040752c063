namespace StableSnn.Grains.Policy;

/// <summary>
/// One sweep's experiments at one priority, in three FIFO queues by requested slot kind. Keeping kinds apart lets
/// the lane skip a gpu-only head when only cpu slots are left, so nothing blocks the experiments behind it.
/// </summary>
internal sealed class MatcherLane(MatcherSweep sweep)
{
    private readonly List<QueuedExperiment>[] queues = [[], [], []]; // indexed by MatcherSlots.Gpu/Cpu/Any
    private readonly int[] heads = new int[3];

    public MatcherSweep Sweep => sweep;

    /// <summary>Append in (Sequence, Key) order; the caller adds experiments already sorted.</summary>
    public void Add(QueuedExperiment experiment, int kind) => queues[kind].Add(experiment);

    /// <summary>The lane's place in the heap, or false if it can take no slot now (limit reached or no usable slot).</summary>
    public bool TryKey(MatcherSlots free, out LaneKey key)
    {
        var q = Oldest(free);
        key = q < 0 ? default : new LaneKey(sweep.Running, queues[q][heads[q]].Sequence, sweep.Name);
        return q >= 0;
    }

    /// <summary>Removes the oldest experiment that a free slot can serve; call only after <see cref="TryKey"/> succeeded.</summary>
    public (QueuedExperiment Experiment, int Kind) Take(MatcherSlots free)
    {
        var q = Oldest(free);
        return (queues[q][heads[q]++], q);
    }

    private int Oldest(MatcherSlots free)
    {
        if (!sweep.HasCapacity) return -1;
        var best = -1;
        for (var q = 0; q < queues.Length; q++)
        {
            if (heads[q] >= queues[q].Count || !free.CanServe(q)) continue;
            if (best < 0 || IsOlder(queues[q][heads[q]], queues[best][heads[best]])) best = q;
        }
        return best;
    }

    private static bool IsOlder(QueuedExperiment a, QueuedExperiment b) =>
        a.Sequence != b.Sequence ? a.Sequence < b.Sequence : string.CompareOrdinal(a.Key, b.Key) < 0;
}
