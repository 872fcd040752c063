using StableSnn.Contracts;
using System.Diagnostics;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

namespace StableSnn.Bench;

/// <summary>
/// Benchmark-only decorator: runs the instant fake trainer unchanged and stamps when each attempt started and ended
/// on its slot, so the slot idle gap (end of one attempt to start of the next on the same slot) can be measured
/// outside the engine.
/// </summary>
public sealed class TimedLauncher(ITrainerLauncher inner) : ITrainerLauncher
{
    public sealed record Span(string Sweep, long Start, long End);

    readonly Dictionary<string, List<Span>> _bySlot = [];

    public async Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop)
    {
        long start = Stopwatch.GetTimestamp();
        try { return await inner.RunAsync(context, progress, stop); }
        finally
        {
            long end = Stopwatch.GetTimestamp();
            lock (_bySlot)
            {
                if (!_bySlot.TryGetValue(context.Slot.Id, out var spans)) _bySlot[context.Slot.Id] = spans = [];
                spans.Add(new Span(context.Lease.Sweep, start, end));
            }
        }
    }

    /// <summary>Every attempt of <paramref name="sweep"/> per slot, in start order.</summary>
    public Dictionary<string, List<Span>> Attempts(string sweep)
    {
        lock (_bySlot)
            return _bySlot.ToDictionary(p => p.Key, p => p.Value.Where(s => s.Sweep == sweep).OrderBy(s => s.Start).ToList());
    }
}
