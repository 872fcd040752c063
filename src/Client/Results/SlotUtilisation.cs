using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>One attempt's occupation of a slot (a trainer process alive on it), for the timeline and utilisation.</summary>
public sealed record AttemptSpan(string Experiment, int Attempt, string Node, string Slot, DateTimeOffset Start, DateTimeOffset End, string Exit);

/// <summary>How busy the slots were over a sweep: what the scheduler costs between experiments.</summary>
/// <param name="Slots">Slots that could run the sweep's work (registered ones of the right kind, plus any that did).</param>
/// <param name="BusyFraction">Busy slot-seconds over Slots x the window.</param>
/// <param name="IdleGapsSeconds">Per slot, from one attempt's end to the next one's start, sorted.</param>
public sealed record UtilisationSummary(
    DateTimeOffset From, DateTimeOffset To, int Slots, int Attempts, double BusySeconds, double BusyFraction, IReadOnlyList<double> IdleGapsSeconds)
{
    public double WindowSeconds => (To - From).TotalSeconds;

    public double GapPercentile(double p) =>
        IdleGapsSeconds.Count == 0 ? 0 : IdleGapsSeconds[(int)Math.Clamp(Math.Ceiling(p * IdleGapsSeconds.Count) - 1, 0, IdleGapsSeconds.Count - 1)];

    public string Describe() =>
        $"slots busy {100 * BusyFraction:F1}% of {Format(WindowSeconds)} ({Attempts} attempts on {Slots} slot{(Slots == 1 ? "" : "s")}" +
        (IdleGapsSeconds.Count > 0 ? $"; idle gap between attempts p50 {GapPercentile(0.5):F2} s, max {IdleGapsSeconds[^1]:F2} s)" : ")");

    static string Format(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss");
}

public static class SlotUtilisation
{
    /// <summary>
    /// Busy time per slot is the union of its attempts clipped to [from, to] (overlaps, which a lease expiry can
    /// produce, count once); gaps are measured between consecutive attempts on the same slot.
    /// </summary>
    public static UtilisationSummary Compute(IReadOnlyCollection<AttemptSpan> spans, DateTimeOffset from, DateTimeOffset to, int registeredSlots)
    {
        if (to < from) throw new ArgumentException($"window ends ({to:u}) before it starts ({from:u})");
        double busy = 0;
        var gaps = new List<double>();
        foreach (var slot in spans.GroupBy(s => (s.Node, s.Slot)))
        {
            DateTimeOffset? coveredTo = null;
            foreach (var span in slot.OrderBy(s => s.Start))
            {
                var start = Max(span.Start, from);
                var end = Min(span.End, to);
                if (coveredTo is { } c)
                {
                    if (span.Start > c) gaps.Add((span.Start - c).TotalSeconds);
                    start = Max(start, c);
                }
                if (end > start) busy += (end - start).TotalSeconds;
                coveredTo = coveredTo is { } prev ? Max(prev, span.End) : span.End;
            }
        }
        gaps.Sort();
        int slots = Math.Max(registeredSlots, spans.Select(s => (s.Node, s.Slot)).Distinct().Count());
        double window = (to - from).TotalSeconds;
        return new UtilisationSummary(from, to, slots, spans.Count, busy, slots == 0 || window <= 0 ? 0 : busy / (slots * window), gaps);
    }

    /// <summary>Every finished attempt of the given experiments (running ones have no end yet and are left out).</summary>
    public static IEnumerable<AttemptSpan> Spans(IEnumerable<ExperimentSnapshot> experiments) =>
        from e in experiments
        from a in e.Attempts
        where a.EndedAt is not null
        select new AttemptSpan(e.Key, a.Number, a.Node, a.Slot, a.StartedAt, a.EndedAt!.Value, a.ExitReason?.ToString() ?? "");

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
