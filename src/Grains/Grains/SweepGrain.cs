using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;
using StableSnn.Grains.Policy;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Grains.Grains;

public sealed class SweepGrain(
    [PersistentState("sweep", GrainStorage.Name)] IPersistentState<SweepState> state,
    IOptions<EngineOptions> options, ILogger<SweepGrain> log) : Grain, ISweepGrain, IRemindable
{
    const string ReconcileReminder = "reconcile";
    readonly EngineOptions _options = options.Value;
    // The grid is computed from the spec on demand: a queued point costs its phase byte, nothing more.
    IReadOnlyList<GridPoint> _grid = [];
    // What an experiment needs from the spec (no axes): handed out by reference, never mutated.
    SweepSpec? _settings;
    // Experiments per phase, kept in step with S.Phases so no call has to scan the grid.
    readonly int[] _counts = new int[Enum.GetValues<ExperimentPhase>().Length];
    // Runnable points that are not found by the forward scan: requeued, retried, released by reconcile.
    readonly Queue<int> _runnable = new();
    // Forward scan over the phases for fresh Pending points; reset by a rebuild.
    int _scan;
    // The periodic reconcile timer of this activation is running.
    bool _reconciling;
    readonly HashSet<int> _offered = [];
    bool _dirty;
    // Writes and aggregation cost O(grid): paced to take at most a tenth of the time (see Pace).
    DateTimeOffset _nextFlush, _nextAggregate;
    (int Outcomes, int Terminal) _aggregatedAt = (-1, -1);
    IReadOnlyList<ResultRow> _accuracy = [];
    double? _bestObjective;
    // A search that proposes its trials: its policy over S.Search, and the trials' points (grid index = trial number).
    SearchRun? _search;
    readonly List<GridPoint> _trials = [];

    // OnExperimentChanged interleaves with other turns: writes are chained so that two never race on the ETag.
    Task _writing = Task.CompletedTask;

    SweepState S => state.State;
    string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Spec is not null)
        {
            LoadGrid();
            EngineMetrics.InitialiseSweep(Name);
            if (S.Spec.Search is not null) EngineMetrics.InitialiseSearch(Name);
            PublishMetrics();
        }
        this.RegisterGrainTimer(Tick, TimeSpan.Zero, _options.SweepFlushInterval);
        // Phase changes are flushed in batches: a sweep reactivated after its silo died may have lost some, and the
        // notifications sent to the dead activation are gone. Reconcile at once instead of at the next reminder.
        if (S.Spec is not null && S.Status is SweepStatus.Active or SweepStatus.Paused) StartReconciling(TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Reconcile every ReconcileInterval while this activation lives. An experiment whose change could not be made
    /// durable (its storage was down) never told the sweep; only a reconcile asks it again. The reminder (at least a
    /// minute apart, Orleans' floor) only brings a deactivated sweep back to life.
    /// </summary>
    void StartReconciling(TimeSpan dueTime)
    {
        if (_reconciling) return;
        _reconciling = true;
        this.RegisterGrainTimer(async () =>
        {
            if (S.Status is SweepStatus.Active or SweepStatus.Paused) await Reconcile();
        }, dueTime, _options.ReconcileInterval);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        EngineMetrics.RemoveSweep(Name); // the silo that activates it next publishes it
        if (_dirty) await WriteState();
    }

    public async Task<SweepSnapshot> Submit(SweepSpec spec)
    {
        if (spec.Name != Name) throw new ArgumentException($"name: '{spec.Name}' does not match the sweep grain '{Name}'");
        if (S.Spec is not null)
        {
            if (!SameSpec(S.Spec, spec))
                throw new InvalidOperationException($"sweep '{Name}' already exists with a different spec; choose another name");
            return Snapshot();
        }
        var errors = SweepValidation.Validate(spec, _options.MaxExperimentsPerSweep);
        if (errors.Count > 0) throw new ArgumentException(string.Join("\n", errors));

        S.Spec = spec;
        S.Status = SweepStatus.Active;
        S.SubmittedAt = DateTimeOffset.UtcNow;
        S.Phases = new byte[GridExpansion.Count(spec)]; // all Pending; a search proposing its trials starts empty
        if (spec.ProposesTrials) S.Search = new SearchState();
        await WriteState();
        _dirty = false;
        LoadGrid();
        await GrainFactory.SweepRegistry().Add(Name);
        var reminderPeriod = _options.ReconcileInterval < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : _options.ReconcileInterval;
        await this.RegisterOrUpdateReminder(ReconcileReminder, reminderPeriod, reminderPeriod);
        StartReconciling(_options.ReconcileInterval);
        NotifyScheduler();
        EngineMetrics.InitialiseSweep(Name);
        if (spec.Search is not null) EngineMetrics.InitialiseSearch(Name);
        PublishMetrics();
        return Snapshot();
    }

    public Task<SearchSnapshot?> GetSearch()
    {
        if (S.Spec?.Search is not { } search) return Task.FromResult<SearchSnapshot?>(null);
        if (_search is not null) return Task.FromResult<SearchSnapshot?>(_search.Snapshot(Name, S.Phases, S.Outcomes));
        // A grid search ranks the grid: one trial per grid point, every epoch, no rungs.
        var trials = _grid.Select((p, i) => new TrialSnapshot
        {
            Number = i, Key = p.ExperimentKey(Name), Point = p, Phase = (ExperimentPhase)S.Phases[i], Epochs = S.Spec.Epochs,
            Objective = S.Outcomes.TryGetValue(i, out var o) ? search.Objective.Of(o) : null,
        }).ToArray();
        return Task.FromResult<SearchSnapshot?>(SearchRun.Summarise(search, trials, [], (long)S.Spec.Epochs * trials.Length, 0, budgetSpent: true));
    }

    public Task<SweepSnapshot> GetSnapshot() => Task.FromResult(Snapshot());

    public Task<SweepSpec?> GetSpec() => Task.FromResult(S.Spec);

    public Task<ExperimentResultRow[]> GetResults() => Task.FromResult(
        S.Outcomes.OrderBy(o => o.Key)
            .Select(o => new ExperimentResultRow(_grid[o.Key].ExperimentKey(Name), _grid[o.Key], o.Value))
            .ToArray());

    public Task<string[]> ListExperiments(ExperimentPhase phase, int max)
    {
        var keys = new List<string>();
        for (int i = 0; i < S.Phases.Length && keys.Count < max && _counts[(int)phase] > 0; i++)
            if (S.Phases[i] == (byte)phase) keys.Add(_grid[i].ExperimentKey(Name));
        return Task.FromResult(keys.ToArray());
    }

    public async Task Cancel()
    {
        if (S.Spec is null || S.Status is SweepStatus.Cancelled or SweepStatus.Completed) return;
        S.Status = SweepStatus.Cancelled;
        var running = new List<int>();
        for (int i = 0; i < S.Phases.Length; i++)
        {
            var phase = (ExperimentPhase)S.Phases[i];
            if (phase is ExperimentPhase.Training or ExperimentPhase.Attacking) running.Add(i);
            else if (!phase.IsTerminal() && phase != ExperimentPhase.Stopped) SetPhase(i, ExperimentPhase.Cancelled); // stopped trials keep their rung
        }
        _runnable.Clear();
        _offered.Clear();
        S.NotBefore.Clear();
        await WriteState();
        _dirty = false;
        // Running experiments stop through their own grain: the node learns it at the next progress report.
        await Task.WhenAll(running.Select(i => Experiment(i).Cancel()));
    }

    public async Task Pause()
    {
        if (S.Status != SweepStatus.Active) return;
        S.Status = SweepStatus.Paused;
        await WriteState();
    }

    public async Task Resume()
    {
        if (S.Status != SweepStatus.Paused) return;
        S.Status = SweepStatus.Active;
        await WriteState();
        NotifyScheduler();
    }

    public async Task<int> RetryFailed()
    {
        if (S.Spec is null) return 0;
        var failed = new List<int>();
        for (int i = 0; i < S.Phases.Length && failed.Count < _counts[(int)ExperimentPhase.Failed]; i++)
            if (S.Phases[i] == (byte)ExperimentPhase.Failed) failed.Add(i);
        var requeued = await Task.WhenAll(failed.Select(i => Experiment(i).Requeue()));
        if (S.Status == SweepStatus.Completed && requeued.Any(r => r))
        {
            S.Status = SweepStatus.Active;
            S.FinishedAt = null;
            await WriteState();
        }
        NotifyScheduler();
        return requeued.Count(r => r);
    }

    public Task<QueuedExperiment[]> TakeWork(int max)
    {
        if (S.Status != SweepStatus.Active || S.Spec is null) return Task.FromResult(Array.Empty<QueuedExperiment>());
        ReleaseDueRetries();
        var work = new List<QueuedExperiment>(Math.Min(max, 256));
        while (work.Count < max && _runnable.TryDequeue(out int i)) Offer(i, work);
        while (work.Count < max && _scan < S.Phases.Length && _counts[(int)ExperimentPhase.Pending] > 0)
        {
            int i = _scan++;
            if (!S.NotBefore.ContainsKey(i)) Offer(i, work);
        }
        if (work.Count > 0) _dirty = true;
        return ProposeTrials(max, work);
    }

    /// <summary>
    /// A search fills free places with new trials (after promotions and retries, which are already in
    /// <paramref name="work"/>) while its budget lasts. Each proposal is durable before it is offered: a restarted
    /// sweep must not propose a different point under the same trial number.
    /// </summary>
    async Task<QueuedExperiment[]> ProposeTrials(int max, List<QueuedExperiment> work)
    {
        if (_search is null) return work.ToArray();
        int proposed = 0;
        while (work.Count < max && _search.MayPropose(Active))
        {
            int trial = _search.Propose(_search.Observations(S.Outcomes, t => S.Phases[t] == (byte)ExperimentPhase.Failed));
            S.Phases = [.. S.Phases, (byte)ExperimentPhase.Pending];
            _counts[(int)ExperimentPhase.Pending]++;
            _trials.Add(_search.PointOf(trial));
            _scan = S.Phases.Length;
            Offer(trial, work);
            proposed++;
        }
        if (proposed == 0) return work.ToArray();
        await WriteState();
        _dirty = false;
        for (int i = 0; i < proposed; i++) EngineMetrics.SearchTrial(Name, "proposed");
        log.LogInformation("search {Sweep}: proposed {Count} trial(s), now {Trials}", Name, proposed, _search.TrialCount);
        return work.ToArray();
    }

    int Active => _counts[(int)ExperimentPhase.Pending] + _counts[(int)ExperimentPhase.Queued]
        + _counts[(int)ExperimentPhase.Training] + _counts[(int)ExperimentPhase.Attacking];

    void Offer(int i, List<QueuedExperiment> work)
    {
        if ((ExperimentPhase)S.Phases[i] != ExperimentPhase.Pending || !_offered.Add(i)) return;
        SetPhase(i, ExperimentPhase.Queued);
        work.Add(new QueuedExperiment(_grid[i].ExperimentKey(Name), Name, S.Spec!.Priority, S.Spec.Resources.SlotKind, i));
    }

    public Task<ExperimentAdmission> Admit(int index)
    {
        if (S.Spec is null || _settings is null || index < 0 || index >= _grid.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"sweep '{Name}' has no grid index {index}");
        return Task.FromResult(new ExperimentAdmission(_settings, _grid[index], S.Status, (ExperimentPhase)S.Phases[index])
        {
            StopAtEpoch = _search?.StopAtEpoch(index),
        });
    }

    public async Task OnExperimentChanged(ExperimentChange change)
    {
        if (S.Spec is null || change.Index < 0 || change.Index >= S.Phases.Length) return;
        log.LogDebug("sweep {Sweep}: experiment {Index} reports {Phase} (was {Was}, attempts {Attempts})", Name, change.Index, change.Phase,
            (ExperimentPhase)S.Phases[change.Index], change.Attempts);
        var phase = change.Phase;
        _offered.Remove(change.Index);
        if (phase == ExperimentPhase.Queued)
        {
            // Back to the sweep's own queue: after the back-off if one was given.
            phase = ExperimentPhase.Pending;
            if (change.NotBefore is { } at && at > DateTimeOffset.UtcNow) S.NotBefore[change.Index] = at;
            else _runnable.Enqueue(change.Index);
            NotifyScheduler();
        }
        if (_search is not null)
        {
            await OnTrialChanged(change, phase);
            return;
        }
        SetPhase(change.Index, phase);
        // Keyed by grid index: recorded once however often reported. Written with the next periodic flush; an
        // outcome lost with a crash before that is re-sent by its experiment (durable) when reconcile or a re-offer asks.
        if (phase == ExperimentPhase.Completed && change.Outcome is not null) S.Outcomes[change.Index] = change.Outcome;
        _dirty = true;
        if (phase.IsTerminal() && Terminal == S.Phases.Length) await Finish();
    }

    /// <summary>
    /// A search trial changed. Rung reports and completions go through the ASHA policy first; the decisions (this trial
    /// promoted or stopped, earlier trials let through) are written with the report before any promoted trial is
    /// offered, so a restart replays exactly them.
    /// </summary>
    async Task OnTrialChanged(ExperimentChange change, ExperimentPhase phase)
    {
        var search = _search!;
        int trial = change.Index;
        search.RecordSlotSeconds(trial, change.SlotSeconds);
        IReadOnlyList<AshaDecision> decisions = [];
        if (phase == ExperimentPhase.Stopped && change.Rung is { } rung)
        {
            decisions = search.ReportRung(trial, rung);
            // A repeat (re-sent after a restart): a trial promoted since keeps the phase it has now.
            if (decisions.Count == 0 && search.StopAtEpoch(trial) != rung.Epoch && (ExperimentPhase)S.Phases[trial] != ExperimentPhase.Stopped)
                phase = (ExperimentPhase)S.Phases[trial];
        }
        SetPhase(trial, phase);
        if (phase == ExperimentPhase.Completed && change.Outcome is not null)
        {
            bool first = S.Outcomes.TryAdd(trial, change.Outcome);
            decisions = search.ReportOutcome(trial, change.Outcome);
            if (first && search.Asha is null) EngineMetrics.SearchTrial(Name, "completed");
        }
        foreach (var d in decisions)
        {
            int t = d.Trial;
            log.LogInformation("search {Sweep}: trial {Trial} {Decision}", Name, t, d.Explain());
            EngineMetrics.SearchTrial(Name, d.Action switch
            {
                AshaAction.Promote => "promoted", AshaAction.Stop => "stopped", AshaAction.Wait => "paused", _ => "completed",
            });
            if (d.Action != AshaAction.Promote) continue;
            SetPhase(t, ExperimentPhase.Pending);
            _offered.Remove(t);
            _runnable.Enqueue(t);
        }
        _dirty = true;
        if (decisions.Count > 0 || phase is ExperimentPhase.Stopped or ExperimentPhase.Completed)
        {
            await WriteState(); // the decisions are durable before anyone acts on them
            _dirty = false;
        }
        if (Active == 0 && !search.BudgetLeft && !await PromoteAtEndOfBudget()) await Finish();
        else if (S.Status == SweepStatus.Active) NotifyScheduler(); // a place freed up or a trial was promoted
    }

    /// <summary>No trial reached the last rung and nothing runs: the best waiting trial goes on (durably), so the search ends with a result.</summary>
    async Task<bool> PromoteAtEndOfBudget()
    {
        if (S.Status != SweepStatus.Active) return false;
        var decisions = _search!.PromoteAtEndOfBudget(t => S.Phases[t] == (byte)ExperimentPhase.Stopped);
        if (decisions.Count == 0) return false;
        foreach (var d in decisions)
        {
            int t = d.Trial;
            log.LogInformation("search {Sweep}: trial {Trial} {Decision}", Name, t, d.Explain());
            EngineMetrics.SearchTrial(Name, "promoted");
            SetPhase(t, ExperimentPhase.Pending);
            _runnable.Enqueue(t);
        }
        await WriteState();
        _dirty = false;
        NotifyScheduler();
        return true;
    }

    async Task Finish()
    {
        if (S.Status != SweepStatus.Cancelled) S.Status = SweepStatus.Completed;
        S.FinishedAt ??= DateTimeOffset.UtcNow;
        _dirty = true;
        await FlushIfDirty(force: true);
        PublishMetrics(force: true);
    }

    public async Task Reconcile()
    {
        if (S.Spec is null) return;
        // Offers the scheduler may have lost are offered again; running experiments check their own leases.
        foreach (var i in _offered) if (S.Phases[i] == (byte)ExperimentPhase.Queued) SetPhase(i, ExperimentPhase.Pending);
        _offered.Clear();
        ReleasePromotedTrials();
        RebuildRunnable();
        var running = new List<int>();
        for (int i = 0; i < S.Phases.Length; i++)
            if ((ExperimentPhase)S.Phases[i] is ExperimentPhase.Training or ExperimentPhase.Attacking) running.Add(i);
        log.LogDebug("sweep {Sweep}: reconcile asks {Running} running experiments to check their leases", Name, running.Count);
        await Task.WhenAll(running.Select(i => Experiment(i).CheckLease(i)));
        if (_search is not null && S.Status == SweepStatus.Active && Active == 0 && !_search.BudgetLeft && !await PromoteAtEndOfBudget())
            await Finish();
        if (S.Status == SweepStatus.Active) NotifyScheduler();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.Status is SweepStatus.Active or SweepStatus.Paused)
        {
            await Reconcile();
        }
        else if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder); // sweep done: the safety net is no longer needed
        }
    }

    Task WriteState()
    {
        _writing = After(_writing);
        return _writing;

        async Task After(Task previous)
        {
            try { await previous; }
            catch (Exception) { } // its own caller has seen the failure; this write stands on its own
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// Phases follow from the durable rung reports: a trial the replayed policy promoted past the rung it reported at
    /// must train on, whatever phase an interrupted turn left it in.
    /// </summary>
    void ReleasePromotedTrials()
    {
        if (_search is null) return;
        for (int t = 0; t < S.Phases.Length; t++)
        {
            if (S.Phases[t] != (byte)ExperimentPhase.Stopped || !_search.PromotedPastItsRung(t)) continue;
            log.LogInformation("search {Sweep}: trial {Trial} was promoted but stopped; queued again", Name, t);
            SetPhase(t, ExperimentPhase.Pending);
            _dirty = true;
        }
    }

    void LoadGrid()
    {
        var spec = S.Spec!;
        _grid = GridExpansion.Lazy(spec);
        if (spec.ProposesTrials)
        {
            S.Search ??= new SearchState();
            _search = new SearchRun(spec, S.Search); // replays the rung reports: the same decisions as before a restart
            _trials.Clear();
            _trials.AddRange(Enumerable.Range(0, _search.TrialCount).Select(_search.PointOf));
            _grid = _trials;
        }
        _settings = spec with { Datasets = [], Architectures = [], Neurons = [], Modes = [], Alphas = [], Seeds = [] };
        Array.Clear(_counts);
        foreach (var p in S.Phases) _counts[p]++;
        ReleasePromotedTrials();
        RebuildRunnable();
    }

    void RebuildRunnable()
    {
        _runnable.Clear();
        _scan = 0; // the forward scan finds every Pending point again
        for (int i = 0; i < S.Phases.Length; i++)
        {
            // Queued entries whose offer died with a previous activation are runnable again.
            if (S.Phases[i] == (byte)ExperimentPhase.Queued && !_offered.Contains(i)) SetPhase(i, ExperimentPhase.Pending);
        }
    }

    void SetPhase(int index, ExperimentPhase phase)
    {
        _counts[S.Phases[index]]--;
        _counts[(int)phase]++;
        S.Phases[index] = (byte)phase;
    }

    int Terminal => _counts[(int)ExperimentPhase.Completed] + _counts[(int)ExperimentPhase.Failed] + _counts[(int)ExperimentPhase.Cancelled];

    /// <summary>Moves retries whose back-off has passed into the runnable queue; true if any moved.</summary>
    bool ReleaseDueRetries()
    {
        if (S.NotBefore.Count == 0) return false;
        var now = DateTimeOffset.UtcNow;
        var due = S.NotBefore.Where(p => p.Value <= now).Select(p => p.Key).ToList();
        foreach (var i in due)
        {
            S.NotBefore.Remove(i);
            _runnable.Enqueue(i);
        }
        return due.Count > 0;
    }

    /// <summary>Periodic: write progress if it changed, and wake the scheduler when a retry's back-off has passed.</summary>
    async Task Tick()
    {
        if (S.Status == SweepStatus.Active && ReleaseDueRetries()) NotifyScheduler();
        await FlushIfDirty();
        PublishMetrics();
    }

    /// <summary>Copies this sweep's figures into the metrics registry (read by the exporter on another thread).</summary>
    void PublishMetrics(bool force = false)
    {
        if (S.Spec is null) return;
        // A grid point's accuracy appears once all its seeds have ended: aggregate again only when that can change.
        var at = (S.Outcomes.Count, Terminal);
        if (at != _aggregatedAt && (force || DateTimeOffset.UtcNow >= _nextAggregate))
        {
            _aggregatedAt = at;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Nothing ended yet (a fresh submit): no group can be complete, so skip the O(grid) grouping.
            _accuracy = Terminal == 0 ? [] : EngineMetrics.Aggregate(_grid, S.Phases, S.Outcomes);
            _bestObjective = BestObjective(); // O(outcomes) as well: paced with the aggregation
            _nextAggregate = Pace(clock.Elapsed);
        }
        EngineMetrics.PublishSweep(Name, new EngineMetrics.SweepFigures(
            S.Status == SweepStatus.Active, (int[])_counts.Clone(), S.SubmittedAt, S.FinishedAt, _accuracy)
        {
            BestObjective = _bestObjective,
        });
    }

    /// <summary>
    /// When an O(grid) job that just took <paramref name="took"/> may run again: nine times its duration later, so it
    /// costs at most a tenth of the sweep's time however large the grid. Durability does not depend on it: the
    /// experiments are the authority and re-report whatever a crashed sweep had not written yet.
    /// </summary>
    /// <summary>The highest robust accuracy among completed trials that meet the clean floor (null for a grid).</summary>
    double? BestObjective()
    {
        if (S.Spec?.Search is not { } search) return null;
        double? best = null;
        foreach (var outcome in S.Outcomes.Values)
            if (search.Objective.Of(outcome) is { Feasible: true } value && (best is null || value.Robust > best)) best = value.Robust;
        return best;
    }

    static DateTimeOffset Pace(TimeSpan took) => DateTimeOffset.UtcNow + took * 9;

    void NotifyScheduler()
    {
        if (S.Spec is { } spec)
            GrainFactory.Scheduler().Notify(Name, spec.Priority, spec.MaxConcurrency).Ignore();
    }

    async Task FlushIfDirty(bool force = false)
    {
        if (!_dirty || (!force && DateTimeOffset.UtcNow < _nextFlush)) return;
        _dirty = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await WriteState();
        _nextFlush = Pace(clock.Elapsed);
    }

    IExperimentGrain Experiment(int index) => GrainFactory.GetGrain<IExperimentGrain>(_grid[index].ExperimentKey(Name));

    SweepSnapshot Snapshot()
    {
        return new SweepSnapshot
        {
            Name = Name, Status = S.Status, Total = S.Phases.Length, Counts = (int[])_counts.Clone(), SubmittedAt = S.SubmittedAt,
            FinishedAt = S.FinishedAt, Priority = S.Spec?.Priority ?? 0, MaxConcurrency = S.Spec?.MaxConcurrency ?? 0,
        };
    }


    static bool SameSpec(SweepSpec a, SweepSpec b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);
}
