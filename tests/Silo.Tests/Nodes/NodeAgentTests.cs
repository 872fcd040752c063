using StableSnn.Contracts;
using System.Diagnostics;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Tests.Engine;
using StableSnn.Silo.Nodes;

namespace StableSnn.Silo.Tests.Nodes;

/// <summary>
/// The node's scheduling policy: it never waits for its report interval when there is something to do. The interval
/// is set to minutes here, so any wait for it shows as a timeout.
/// </summary>
public class NodeAgentTests
{
    static readonly Dictionary<string, string?> SlowReports = new()
    {
        ["Node:ReportInterval"] = "00:05:00",
        ["Engine:LeaseDuration"] = "00:10:00", // leases are renewed by reports: keep them valid meanwhile
    };

    [Fact]
    public async Task AFreedSlotStartsTheNextAttemptAtOnce()
    {
        var trainer = new GapTrainer();
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 1, settings: SlowReports);
        await engine.Grains.GetGrain<ISweepGrain>("one-slot").Submit(EngineCluster.Grid("one-slot", alphas: 3)); // 24
        var done = await engine.WaitUntil("one-slot", s => s.IsFinished, TimeSpan.FromSeconds(60));

        Assert.Equal(24, done.Count(ExperimentPhase.Completed));
        var gaps = trainer.Gaps();
        Assert.Equal(23, gaps.Count);
        // Each gap is a few grain calls; waiting for the interval would make it minutes.
        Assert.True(gaps.Max() < TimeSpan.FromSeconds(5), $"largest idle gap {gaps.Max().TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task ASweepSubmittedToAnIdleNodeStartsAtOnce()
    {
        var trainer = new GapTrainer();
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 2, settings: SlowReports);
        // The node's first report registers its slots; after that it idles for the (long) interval.
        await WaitFor(async () => (await engine.Grains.Scheduler().GetSnapshot()).Slots.Length == 2);
        await Task.Delay(300);

        await engine.Grains.GetGrain<ISweepGrain>("late").Submit(EngineCluster.Grid("late", alphas: 1));
        var done = await engine.WaitUntil("late", s => s.IsFinished, TimeSpan.FromSeconds(30));
        Assert.Equal(8, done.Count(ExperimentPhase.Completed));
    }

    [Fact]
    public async Task SlotViewsShowWhatEachSlotRuns()
    {
        var trainer = new CountingTrainer((_, _) => FakeAction.Hang);
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 2);
        var sweep = engine.Grains.GetGrain<ISweepGrain>("shown");
        await sweep.Submit(EngineCluster.Grid("shown", alphas: 1));
        await engine.WaitUntil("shown", s => s.Count(ExperimentPhase.Training) == 2);

        var slots = (await engine.Grains.Scheduler().GetSnapshot()).Slots.Select(s => s.Slot.Id).ToList();
        Assert.Equal(2, slots.Count);
        await WaitFor(async () => (await Task.WhenAll(slots.Select(id => engine.Grains.GetGrain<ISlotGrain>(id).Get())))
            .All(v => v.Health == "busy" && v.Snapshot?.ExperimentKey is not null));

        await sweep.Cancel();
        await WaitFor(async () => (await Task.WhenAll(slots.Select(id => engine.Grains.GetGrain<ISlotGrain>(id).Get())))
            .All(v => v.Health == "idle" && v.Snapshot?.ExperimentKey is null));
    }

    static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(50);
        }
    }

    /// <summary>The instant fake trainer, recording per slot when each attempt started and ended.</summary>
    sealed class GapTrainer : ITrainerLauncher
    {
        readonly InstantFakeTrainer _inner = new();
        readonly List<(string Slot, long Start, long End)> _spans = [];

        public async Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop)
        {
            long start = Stopwatch.GetTimestamp();
            try { return await _inner.RunAsync(context, progress, stop); }
            finally { lock (_spans) _spans.Add((context.Slot.Id, start, Stopwatch.GetTimestamp())); }
        }

        public List<TimeSpan> Gaps()
        {
            lock (_spans)
                return _spans.GroupBy(s => s.Slot)
                    .SelectMany(g => g.OrderBy(s => s.Start).Zip(g.OrderBy(s => s.Start).Skip(1), (a, b) => Stopwatch.GetElapsedTime(a.End, b.Start)))
                    .ToList();
        }
    }
}
