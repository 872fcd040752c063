namespace StableSnn.Grains.Policy;

/// <summary>
/// Order in which sweeps of one priority get the next slot: fewest running first, then the oldest head of queue,
/// then the sweep name (ordinal, so the result does not depend on culture).
/// </summary>
internal readonly record struct LaneKey(int Running, long HeadSequence, string Sweep) : IComparable<LaneKey>
{
    public int CompareTo(LaneKey other)
    {
        var c = Running.CompareTo(other.Running);
        if (c == 0) c = HeadSequence.CompareTo(other.HeadSequence);
        return c != 0 ? c : string.CompareOrdinal(Sweep, other.Sweep);
    }
}
