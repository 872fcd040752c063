using StableSnn.Contracts;
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
    sealed record Running(LeaseRef Lease, CancellationTokenSource Stop)
    {
        /// <summary>When the slot took this lease, for the operator view of the slot.</summary>
        public readonly DateTimeOffset Since = DateTimeOffset.UtcNow;
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
    // Attempts from grant until their end is reported (which may outlive the slot): drained at shutdown.
    readonly HashSet<Task> _work = [];
    // Set when a slot frees; replaced before each report, so a slot freed during a call wakes the next wait.
    TaskCompletionSource _wake = NewWake();
    // The pending WaitForWork call while the node idles with free slots (one at a time).
    Task? _workWait;
    IReadOnlyList<SlotInfo> _slots = [];
    // What each slot grain last showed (experiment key or null), and when the slot views were last refreshed.
    readonly Dictionary<string, string?> _slotShown = [];
    DateTimeOffset _slotsShownAt = DateTimeOffset.MinValue;

    public IReadOnlyList<SlotInfo> Slots => _slots;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _slots = SlotDiscovery.Discover(_options);
        log.LogInformation("node {Node}: {Count} slots ({Slots})", _options.Name, _slots.Count, string.Join(", ", _slots.Select(s => s.Id)));
        PublishMetrics();
        var scheduler = grains.Scheduler();
        while (!stoppingToken.IsCancellationRequested)
        {
            bool idle = false;
            try
            {
                // One call reports every slot freed since the last one: earlier wake-ups are covered by this report.
                Volatile.Write(ref _wake, NewWake());
                SendHeartbeats();
                ShowSlots();
                var report = Report();
                var grant = await scheduler.RequestWork(report);
                foreach (var lease in grant.Start) StartAttempt(lease, stoppingToken);
                foreach (var lease in grant.Stop) StopAttempt(lease.AttemptId);
                // Slots left free after a non-empty grant: the scheduler may have more (it pulls from sweeps in
                // batches), so ask again at once; a full node waits for a slot to free (the wake) or the interval.
                if (grant.Start.Length > 0 && grant.Start.Length < report.FreeSlots.Length) continue;
                idle = grant.Start.Length == 0 && report.FreeSlots.Length > 0;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "scheduler call failed; retrying");
            }
            try
            {
                // Free slots and nothing to run: also wake when a sweep brings work (the scheduler's long poll).
                if (idle && _workWait is not { IsCompleted: false }) _workWait = WaitForWork(scheduler);
                var woken = idle ? Task.WhenAny(Volatile.Read(ref _wake).Task, _workWait!) : Volatile.Read(ref _wake).Task;
                await woken.WaitAsync(_options.ReportInterval, stoppingToken);
            }
            catch (TimeoutException) { } // the interval passed: report anyway (the heartbeat)
            catch (OperationCanceledException) { break; }
        }
        Task[] work;
        lock (_gate)
        {
            foreach (var r in _running.Values) r.Stop.Cancel();
            work = [.. _work];
        }
        await Task.WhenAll(work); // draining: every trainer gets SIGTERM and keeps its checkpoint; ends are reported
        EngineMetrics.RemoveNode(_options.Name);
    }

    static readonly TimeSpan MaxWorkWait = TimeSpan.FromSeconds(10);

    static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    async Task WaitForWork(ISchedulerGrain scheduler)
    {
        // Capped well below the grain call timeout (30 s by default): a longer wait just ends in one extra report.
        var wait = TimeSpan.FromTicks(Math.Min(_options.ReportInterval.Ticks, MaxWorkWait.Ticks));
        try { await scheduler.WaitForWork(wait); }
        catch (Exception) { await Task.Delay(_options.ReportInterval); } // never a tight loop when the scheduler is away
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
        var work = Task.Run(async () => { await started.Task; await RunAttempt(lease, stop.Token); });
        lock (_gate)
        {
            _running[lease.AttemptId] = new Running(lease, stop);
            _work.Add(work);
        }
        work.ContinueWith(t => { lock (_gate) _work.Remove(t); }, TaskScheduler.Default).Ignore();
        started.SetResult();
    }

    /// <summary>
    /// Brings the slot grains (the operator view of each slot) up to date at most once per report interval, and only
    /// the slots that changed: telling them at every start and end would cost two calls per attempt.
    /// </summary>
    void ShowSlots()
    {
        var now = DateTimeOffset.UtcNow;
        if (now - _slotsShownAt < _options.ReportInterval) return;
        _slotsShownAt = now;
        Dictionary<string, Running> bySlot;
        lock (_gate) bySlot = _running.Values.ToDictionary(r => r.Lease.SlotId);
        foreach (var slot in _slots)
        {
            var running = bySlot.GetValueOrDefault(slot.Id);
            var key = running?.Lease.ExperimentKey;
            if (_slotShown.TryGetValue(slot.Id, out var shown) && shown == key) continue;
            _slotShown[slot.Id] = key;
            grains.GetGrain<ISlotGrain>(slot.Id)
                .Update(new SlotSnapshot(slot, _options.Name, key, running?.Since, now), key is null ? "idle" : "busy").Ignore();
        }
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
            Relay(r, null).Ignore();
        }
    }

    /// <summary>Trainer progress to the experiment, or a plain heartbeat (null) while the trainer is quiet.</summary>
    async Task<bool> Relay(Running running, ProgressEvent? update)
    {
        var now = DateTimeOffset.UtcNow.UtcTicks;
        Interlocked.Exchange(ref running.LastRelayTicks, now);
        if (update?.ImagesPerSecond is { } ips) Volatile.Write(ref running.ImagesPerSecond, ips);
        if (update?.Phase is TrainerPhase.Epoch or TrainerPhase.Resume)
        {
            long began = Interlocked.Exchange(ref running.EpochStartTicks, now);
            if (update.Phase == TrainerPhase.Epoch) EngineMetrics.EpochFinished(TimeSpan.FromTicks(now - began).TotalSeconds);
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
        AttemptEnd? end = null;
        try
        {
            var ticket = await experiment.BeginAttempt(lease, _options.Name);
            if (ticket is null) return; // done, cancelled or running elsewhere: the slot goes back at once
            var artifacts = Path.Combine(_options.ArtifactRoot, ticket.ArtifactPath);
            try
            {
                Running running;
                lock (_gate) running = _running[lease.AttemptId];
                end = await launcher.RunAsync(new AttemptContext(lease, ticket, slot, artifacts), update => Relay(running, update), stop);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The node's artifact disk (full, read-only, gone): the node's problem, retried like the trainer's exit 4.
                end = new AttemptEnd(ExitReason.Environment, null, $"artifact directory {artifacts}: {e.Message}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                end = new AttemptEnd(ExitReason.Crash, null, $"launcher failed: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                end = new AttemptEnd(ExitReason.Interrupted, null, "stopped by the node");
            }
        }
        catch (Exception e)
        {
            log.LogWarning(e, "attempt {Attempt} of {Key} could not start; its lease will expire", lease.AttemptId, lease.ExperimentKey);
        }
        finally
        {
            // The process has exited: only now is the slot free again, and it is offered at once (the wake), without
            // waiting for the end to be recorded: that report goes to the experiment, not to the slot.
            lock (_gate)
            {
                if (_running.Remove(lease.AttemptId, out var r)) r.Stop.Dispose();
                _finished.Add(lease);
            }
            Volatile.Read(ref _wake).TrySetResult();
        }
        if (end is null) return;
        try
        {
            await Retry(() => experiment.FinishAttempt(lease.AttemptId, end));
        }
        catch (Exception e)
        {
            // The experiment keeps the attempt current with an ageing heartbeat: reconcile expires it and retries.
            log.LogWarning(e, "attempt {Attempt} of {Key} ended without a report; its lease will expire", lease.AttemptId, lease.ExperimentKey);
        }
    }

    static async Task Retry(Func<Task> call)
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
