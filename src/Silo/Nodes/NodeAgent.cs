using Microsoft.Extensions.Options;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Silo.Nodes;

/// <summary>
/// The node side of the engine, one per silo: reports its slots and running leases to the scheduler (the heartbeat),
/// starts granted attempts through the launcher, relays their progress to the experiment grains, reports their end,
/// and frees a slot only once its process has exited. Runs outside grain turns, so training never blocks a grain.
/// </summary>
public sealed class NodeAgent(
    IGrainFactory grains,
    ITrainerLauncher launcher,
    IOptions<NodeOptions> options,
    ILogger<NodeAgent> log) : BackgroundService
{
    sealed record Running(LeaseRef Lease, CancellationTokenSource Stop, Task Work)
    {
        /// <summary>When the experiment last heard of this attempt (ticks); heartbeats fill the gaps between progress.</summary>
        public long LastRelayTicks = DateTimeOffset.UtcNow.UtcTicks;
        /// <summary>When the current epoch began (ticks): the attempt's start, the last "epoch" or "resume" event.</summary>
        public long EpochStartTicks = DateTimeOffset.UtcNow.UtcTicks;
        /// <summary>Last training throughput the trainer reported (images per second).</summary>
        public double ImagesPerSecond;
    }

    readonly NodeOptions _options = options.Value;
    readonly Lock _gate = new();
    readonly Dictionary<Guid, Running> _running = [];
    readonly List<LeaseRef> _finished = [];
    readonly SemaphoreSlim _wake = new(0);
    IReadOnlyList<SlotInfo> _slots = [];

    public IReadOnlyList<SlotInfo> Slots => _slots;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _slots = SlotDiscovery.Discover(_options);
        log.LogInformation("node {Node}: {Count} slots ({Slots})", _options.Name, _slots.Count, string.Join(", ", _slots.Select(s => s.Id)));
        PublishMetrics();
        var scheduler = grains.GetGrain<ISchedulerGrain>("default");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                SendHeartbeats();
                var grant = await scheduler.RequestWork(Report());
                foreach (var lease in grant.Start) StartAttempt(lease, stoppingToken);
                foreach (var lease in grant.Stop) StopAttempt(lease.AttemptId);
                if (grant.Start.Length > 0) continue; // more may be waiting: ask again at once
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "scheduler call failed; retrying");
            }
            try { await _wake.WaitAsync(_options.ReportInterval, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
        Task[] work;
        lock (_gate) work = _running.Values.Select(r => { r.Stop.Cancel(); return r.Work; }).ToArray();
        await Task.WhenAll(work); // draining: every trainer gets SIGTERM and keeps its checkpoint
        EngineMetrics.RemoveNode(_options.Name);
    }

    /// <summary>This node's slots and the throughput of the busy ones, for the metrics registry.</summary>
    void PublishMetrics()
    {
        Dictionary<string, double> busy;
        lock (_gate) busy = _running.Values.ToDictionary(r => r.Lease.SlotId, r => Volatile.Read(ref r.ImagesPerSecond));
        EngineMetrics.PublishNode(_options.Name, new EngineMetrics.NodeFigures(_slots.Select(s => s.Id).ToArray(), busy));
    }

    NodeReport Report()
    {
        lock (_gate)
        {
            var busy = _running.Values.Select(r => r.Lease.SlotId).ToHashSet();
            var report = new NodeReport
            {
                Node = _options.Name, Slots = [.. _slots],
                FreeSlots = _slots.Where(s => !busy.Contains(s.Id)).Select(s => s.Id).ToArray(),
                Running = _running.Values.Select(r => r.Lease).ToArray(), Finished = [.. _finished],
            };
            _finished.Clear();
            EngineMetrics.PublishNode(_options.Name, new EngineMetrics.NodeFigures(_slots.Select(s => s.Id).ToArray(),
                _running.Values.ToDictionary(r => r.Lease.SlotId, r => Volatile.Read(ref r.ImagesPerSecond))));
            return report;
        }
    }

    void StartAttempt(LeaseRef lease, CancellationToken stopping)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var started = new TaskCompletionSource();
        var running = new Running(lease, stop, Task.Run(async () => { await started.Task; await RunAttempt(lease, stop.Token); }));
        lock (_gate) _running[lease.AttemptId] = running;
        started.SetResult();
    }

    /// <summary>
    /// Tells each experiment its attempt is alive when the trainer has been quiet (long evaluations print nothing),
    /// so the experiment's heartbeat means "the node still runs it"; an answer of false stops the attempt.
    /// </summary>
    void SendHeartbeats()
    {
        var due = DateTimeOffset.UtcNow.UtcTicks - _options.ProgressInterval.Ticks;
        Running[] quiet;
        lock (_gate) quiet = _running.Values.Where(r => Interlocked.Read(ref r.LastRelayTicks) < due).ToArray();
        foreach (var r in quiet)
        {
            Interlocked.Exchange(ref r.LastRelayTicks, DateTimeOffset.UtcNow.UtcTicks);
            Relay(r, new ProgressUpdate { Phase = "alive" }).Ignore();
        }
    }

    async Task<bool> Relay(Running running, ProgressUpdate update)
    {
        var now = DateTimeOffset.UtcNow.UtcTicks;
        Interlocked.Exchange(ref running.LastRelayTicks, now);
        if (update.ImagesPerSecond is { } ips) Volatile.Write(ref running.ImagesPerSecond, ips);
        if (update.Phase is "epoch" or "resume")
        {
            long began = Interlocked.Exchange(ref running.EpochStartTicks, now);
            if (update.Phase == "epoch") EngineMetrics.EpochFinished(TimeSpan.FromTicks(now - began).TotalSeconds);
        }
        bool keep = await grains.GetGrain<IExperimentGrain>(running.Lease.ExperimentKey).ReportProgress(running.Lease.AttemptId, update);
        if (!keep) running.Stop.Cancel();
        return keep;
    }

    void StopAttempt(Guid attemptId)
    {
        lock (_gate) if (_running.TryGetValue(attemptId, out var r)) r.Stop.Cancel();
    }

    async Task RunAttempt(LeaseRef lease, CancellationToken stop)
    {
        var experiment = grains.GetGrain<IExperimentGrain>(lease.ExperimentKey);
        var slot = _slots.First(s => s.Id == lease.SlotId);
        var slotGrain = grains.GetGrain<IGpuSlotGrain>(lease.SlotId);
        try
        {
            var ticket = await experiment.BeginAttempt(lease, _options.Name);
            if (ticket is null) return; // done, cancelled or running elsewhere: the slot goes back at once
            slotGrain.Update(new SlotSnapshot(slot, _options.Name, lease.ExperimentKey, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), "busy").Ignore();
            var artifacts = Path.Combine(_options.ArtifactRoot, ticket.ArtifactPath);
            AttemptEnd end;
            try
            {
                Running running;
                lock (_gate) running = _running[lease.AttemptId];
                end = await launcher.RunAsync(new AttemptContext(lease, ticket, slot, artifacts), update => Relay(running, update), stop);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                end = new AttemptEnd(ExitReason.Crash, null, $"launcher failed: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                end = new AttemptEnd(ExitReason.Interrupted, null, "stopped by the node");
            }
            await Retry(() => experiment.FinishAttempt(lease.AttemptId, end), stop);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "attempt {Attempt} of {Key} ended without a report; its lease will expire", lease.AttemptId, lease.ExperimentKey);
        }
        finally
        {
            // The process has exited: only now is the slot free again.
            slotGrain.Update(new SlotSnapshot(slot, _options.Name, null, null, DateTimeOffset.UtcNow), "idle").Ignore();
            lock (_gate)
            {
                if (_running.Remove(lease.AttemptId, out var r)) r.Stop.Dispose();
                _finished.Add(lease);
            }
            PublishMetrics();
            _wake.Release();
        }
    }

    static async Task Retry(Func<Task> call, CancellationToken stop)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { await call(); return; }
            catch (Exception) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }
}
