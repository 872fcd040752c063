using StableSnn.Grains.Model;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Sweeps;

/// <summary>
/// A sweep's book of grid points over its durable state: one phase per point, counts per phase kept in step (so no
/// question scans the grid), the runnable queue, the back-off of retries and the points on offer. No cluster: the
/// sweep grain persists what it changes and tells the others.
/// </summary>
public sealed class SweepBook
{
    readonly SweepState _state;
    readonly int[] _counts = new int[Enum.GetValues<ExperimentPhase>().Length];
    // Runnable points the forward scan does not find: requeued, retried, promoted, released by a reconcile.
    readonly Queue<int> _runnable = new();
    // Points offered to the scheduler and not heard of since: each is offered once.
    readonly HashSet<int> _offered = [];
    // Forward scan over the phases for fresh Pending points; reset by a rebuild.
    int _scan;

    /// <summary>The book of <paramref name="state"/>; points left Queued by an earlier activation are runnable again.</summary>
    public SweepBook(SweepState state)
    {
        _state = state;
        foreach (var p in state.Phases) _counts[p]++;
        Reoffer();
    }

    public int Total => _state.Phases.Length;

    public ExperimentPhase this[int index] => (ExperimentPhase)_state.Phases[index];

    public bool Contains(int index) => index >= 0 && index < Total;

    public int Count(ExperimentPhase phase) => _counts[(int)phase];

    /// <summary>Experiments per phase, indexed by phase (a copy).</summary>
    public int[] Counts => (int[])_counts.Clone();

    /// <summary>Waiting for a slot or holding one.</summary>
    public int Active => _counts.CountOf(ExperimentPhaseExtensions.IsActive);

    public int Terminal => _counts.CountOf(ExperimentPhaseExtensions.IsTerminal);

    /// <summary>Holding a slot (training or attacking).</summary>
    public int Running => _counts.CountOf(ExperimentPhaseExtensions.IsRunning);

    /// <summary>Every point has ended: the sweep is finished.</summary>
    public bool AllEnded => Terminal == Total;

    /// <summary>
    /// Up to <paramref name="max"/> points to offer, each marked Queued: retries whose back-off has passed and other
    /// requeued points first, then fresh points in grid order.
    /// </summary>
    public List<int> Take(int max, DateTimeOffset now)
    {
        ReleaseDueRetries(now);
        var work = new List<int>(Math.Min(max, 256));
        while (work.Count < max && _runnable.TryDequeue(out int i)) Offer(i, work);
        while (work.Count < max && _scan < Total && Count(ExperimentPhase.Pending) > 0)
        {
            int i = _scan++;
            if (!_state.NotBefore.ContainsKey(i)) Offer(i, work);
        }
        return work;
    }

    /// <summary>Adds a fresh point at the end (a proposed trial), offered at once; its index is the new last.</summary>
    public int AddOffered()
    {
        _state.Phases = [.. _state.Phases, (byte)ExperimentPhase.Queued];
        _counts[(int)ExperimentPhase.Queued]++;
        _scan = Total;
        _offered.Add(Total - 1);
        return Total - 1;
    }

    /// <summary>
    /// An experiment reported its phase. Queued means back to the sweep's own queue: Pending, runnable after its
    /// back-off if one was given. Returns the phase the point now has.
    /// </summary>
    public ExperimentPhase Report(int index, ExperimentPhase phase, DateTimeOffset? notBefore, DateTimeOffset now)
    {
        _offered.Remove(index);
        if (phase == ExperimentPhase.Queued)
        {
            phase = ExperimentPhase.Pending;
            if (notBefore is { } at && at > now) _state.NotBefore[index] = at;
            else _runnable.Enqueue(index);
        }
        Set(index, phase);
        return phase;
    }

    /// <summary>Queues a point to run again (a promoted trial).</summary>
    public void Requeue(int index)
    {
        _offered.Remove(index);
        Set(index, ExperimentPhase.Pending);
        _runnable.Enqueue(index);
    }

    public void Set(int index, ExperimentPhase phase)
    {
        _counts[_state.Phases[index]]--;
        _counts[(int)phase]++;
        _state.Phases[index] = (byte)phase;
    }

    /// <summary>
    /// Cancels every point that is neither running nor ended (stopped trials keep their rung) and empties the queues;
    /// returns the running ones, which stop through their own experiments.
    /// </summary>
    public List<int> Cancel()
    {
        var running = new List<int>();
        for (int i = 0; i < Total; i++)
        {
            var phase = this[i];
            if (phase.IsRunning()) running.Add(i);
            else if (!phase.IsTerminal() && phase != ExperimentPhase.Stopped) Set(i, ExperimentPhase.Cancelled);
        }
        _runnable.Clear();
        _offered.Clear();
        _state.NotBefore.Clear();
        return running;
    }

    /// <summary>
    /// Offers the scheduler may have lost are offered again: every Queued point becomes Pending and the forward scan
    /// starts over, so every runnable point is found again.
    /// </summary>
    public void Reoffer()
    {
        _offered.Clear();
        _runnable.Clear();
        _scan = 0;
        for (int i = 0; i < Total; i++)
            if (this[i] == ExperimentPhase.Queued) Set(i, ExperimentPhase.Pending);
    }

    /// <summary>Points in <paramref name="phase"/>, in grid order, at most <paramref name="max"/>.</summary>
    public List<int> In(ExperimentPhase phase, int max = int.MaxValue) => In(p => p == phase, Math.Min(max, Count(phase)));

    /// <summary>Points whose phase is in <paramref name="group"/>, in grid order, at most <paramref name="max"/>.</summary>
    public List<int> In(Func<ExperimentPhase, bool> group, int max = int.MaxValue)
    {
        var found = new List<int>();
        for (int i = 0; i < Total && found.Count < max; i++)
            if (group(this[i])) found.Add(i);
        return found;
    }

    /// <summary>Moves retries whose back-off has passed into the runnable queue; true if any moved.</summary>
    public bool ReleaseDueRetries(DateTimeOffset now)
    {
        if (_state.NotBefore.Count == 0) return false;
        var due = _state.NotBefore.Where(p => p.Value <= now).Select(p => p.Key).ToList();
        foreach (var i in due)
        {
            _state.NotBefore.Remove(i);
            _runnable.Enqueue(i);
        }
        return due.Count > 0;
    }

    void Offer(int i, List<int> work)
    {
        if (this[i] != ExperimentPhase.Pending || !_offered.Add(i)) return;
        Set(i, ExperimentPhase.Queued);
        work.Add(i);
    }
}
