using Microsoft.Extensions.Options;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Grains.Grains;

/// <summary>
/// Soft-state matchmaker. Everything here can be rebuilt: nodes re-report slots and running leases with every call,
/// sweeps re-offer their queued work when the scheduler activates. Concurrency limits count leases, not start events.
/// </summary>
public sealed class SchedulerGrain(IOptions<EngineOptions> options) : Grain, ISchedulerGrain
{
    sealed class SweepEntry
    {
        public int Priority, MaxConcurrency, Running;
        public bool MayHaveWork = true;
        public readonly LinkedList<QueuedExperiment> Buffer = new();
    }

    sealed record Lease(LeaseRef Ref, string Node, DateTimeOffset Since)
    {
        /// <summary>The node's last report naming this lease: its heartbeat, judged by <see cref="LeasePolicy"/>.</summary>
        public DateTimeOffset Renewed { get; set; }
    }

    const int MinPull = 32;
    const int RevokedMemory = 10_000;
    readonly EngineOptions _options = options.Value;
    readonly Dictionary<string, SweepEntry> _sweeps = [];
    readonly Dictionary<Guid, Lease> _leases = [];
    readonly Dictionary<string, (SlotInfo Info, string Node, DateTimeOffset LastSeen)> _slots = [];
    readonly Dictionary<string, Guid> _slotLease = [];
    readonly Queue<Guid> _revokedOrder = new();
    readonly HashSet<Guid> _revoked = [];
    readonly Dictionary<string, DateTimeOffset> _offeredAt = [];
    long _granted, _expired;
    // Completed (and replaced) by every Notify: wakes the nodes waiting in WaitForWork.
    TaskCompletionSource _workArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        EngineMetrics.InitialiseScheduler();
        PublishMetrics();
        this.RegisterGrainTimer(ExpireLeases, _options.LeaseCheckInterval, _options.LeaseCheckInterval);
        ReconcileSweeps().Ignore(); // rebuild the queue from the durable sweeps
        // Leases held by nodes that died with the previous activation are unknown here; once a lease period has
        // passed, their experiments' heartbeats are stale and a second reconcile expires them.
        this.RegisterGrainTimer(ReconcileSweeps, new GrainTimerCreationOptions(_options.LeaseDuration * 1.5, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    public async Task<WorkGrant> RequestWork(NodeReport report)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var slot in report.Slots) _slots[slot.Id] = (slot, report.Node, now);
        foreach (var done in report.Finished) Release(done.AttemptId);

        var stop = new List<LeaseRef>();
        foreach (var running in report.Running)
        {
            if (_leases.TryGetValue(running.AttemptId, out var lease)) lease.Renewed = now;
            else if (_revoked.Contains(running.AttemptId)) stop.Add(running); // expired lease: the process is a zombie
            else Adopt(running, report.Node, now); // known to the node but not to us: we restarted
        }

        var free = report.FreeSlots.Where(id => !_slotLease.ContainsKey(id) && _slots.ContainsKey(id)).ToList();
        if (free.Count == 0) return new WorkGrant { Stop = [.. stop] };

        await Refill(free.Count);
        var candidates = _sweeps.SelectMany(s => s.Value.Buffer.Take(free.Count)).ToList();
        var byKey = new Dictionary<string, QueuedExperiment>();
        foreach (var c in candidates) byKey.TryAdd(c.Key, c); // a re-offer after reconcile may buffer a key twice
        var loads = _sweeps.Select(s => new SweepLoad(s.Key, s.Value.Running, s.Value.MaxConcurrency)).ToList();
        var slots = free.Select(id => new FreeSlot(id, _slots[id].Info.Kind)).ToList();
        var start = new List<LeaseRef>();
        foreach (var assignment in FairMatcher.Match(candidates, loads, slots))
        {
            var queued = byKey[assignment.ExperimentKey];
            var entry = _sweeps[queued.Sweep];
            entry.Buffer.Remove(queued);
            _offeredAt.Remove(queued.Key);
            var lease = new LeaseRef(queued.Sweep, queued.Key, Guid.NewGuid(), assignment.SlotId, (int)queued.Sequence);
            Adopt(lease, report.Node, now);
            start.Add(lease);
            _granted++;
        }
        PublishMetrics();
        return new WorkGrant { Start = [.. start], Stop = [.. stop] };
    }

    public Task Notify(string sweep, int priority, int maxConcurrency)
    {
        var entry = Entry(sweep);
        entry.Priority = priority;
        entry.MaxConcurrency = maxConcurrency;
        entry.MayHaveWork = true;
        _workArrived.TrySetResult();
        _workArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        return Task.CompletedTask;
    }

    public async Task WaitForWork(TimeSpan timeout)
    {
        try { await _workArrived.Task.WaitAsync(timeout); }
        catch (TimeoutException) { } // nothing new: the node reports as usual
    }

    public Task<SchedulerSnapshot> GetSnapshot() => Task.FromResult(new SchedulerSnapshot
    {
        Slots = _slots.Values.OrderBy(s => s.Info.Id).Select(s =>
        {
            var lease = _slotLease.TryGetValue(s.Info.Id, out var id) ? _leases[id] : null;
            return new SlotSnapshot(s.Info, s.Node, lease?.Ref.ExperimentKey, lease?.Since, s.LastSeen);
        }).ToArray(),
        Leases = _leases.Count, LeasesGranted = _granted, LeasesExpired = _expired,
        Waiting = _sweeps.Where(s => s.Value.Buffer.Count > 0).ToDictionary(s => s.Key, s => s.Value.Buffer.Count),
    });

    async Task Refill(int wanted)
    {
        // A copy: Notify interleaves with the awaits below and may add a sweep.
        foreach (var (name, entry) in _sweeps.ToList())
        {
            if (!entry.MayHaveWork || entry.Buffer.Count >= wanted) continue;
            var work = await GrainFactory.GetGrain<ISweepGrain>(name).TakeWork(Math.Max(MinPull, wanted) - entry.Buffer.Count);
            if (work.Length == 0) entry.MayHaveWork = false;
            var now = DateTimeOffset.UtcNow;
            foreach (var item in work)
            {
                entry.Buffer.AddLast(item);
                _offeredAt.TryAdd(item.Key, now);
            }
        }
    }

    void Adopt(LeaseRef lease, string node, DateTimeOffset now)
    {
        _leases[lease.AttemptId] = new Lease(lease, node, now) { Renewed = now };
        _slotLease[lease.SlotId] = lease.AttemptId;
        Entry(lease.Sweep).Running++;
    }

    Lease? Release(Guid attemptId)
    {
        if (!_leases.Remove(attemptId, out var lease)) return null;
        if (_slotLease.TryGetValue(lease.Ref.SlotId, out var holder) && holder == attemptId) _slotLease.Remove(lease.Ref.SlotId);
        Entry(lease.Ref.Sweep).Running--;
        return lease;
    }

    async Task ExpireLeases()
    {
        var now = DateTimeOffset.UtcNow;
        var policy = _options.Lease();
        var expired = _leases.Values.Where(l => policy.IsExpired(l.Renewed, now)).ToList();
        foreach (var lease in expired)
        {
            Release(lease.Ref.AttemptId);
            _expired++;
            _revoked.Add(lease.Ref.AttemptId);
            _revokedOrder.Enqueue(lease.Ref.AttemptId);
            if (_revokedOrder.Count > RevokedMemory) _revoked.Remove(_revokedOrder.Dequeue());
        }
        if (expired.Count > 0) EngineMetrics.LeaseExpired(expired.Count);
        PublishMetrics();
        await Task.WhenAll(expired.Select(l =>
            GrainFactory.GetGrain<IExperimentGrain>(l.Ref.ExperimentKey).ExpireLease(l.Ref.AttemptId)));
    }

    async Task ReconcileSweeps()
    {
        foreach (var sweep in await GrainFactory.SweepRegistry().List())
            GrainFactory.GetGrain<ISweepGrain>(sweep).Reconcile().Ignore();
    }

    /// <summary>The oldest offer still waiting for a slot, for the metrics registry.</summary>
    void PublishMetrics() =>
        EngineMetrics.PublishScheduler(new EngineMetrics.SchedulerFigures(_offeredAt.Count == 0 ? null : _offeredAt.Values.Min()));

    SweepEntry Entry(string sweep)
    {
        if (!_sweeps.TryGetValue(sweep, out var entry)) _sweeps[sweep] = entry = new SweepEntry();
        return entry;
    }
}
