using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;
using StableSnn.Grains.Sweeps;

namespace StableSnn.Grains.Grains;

/// <summary>
/// Persistence and notification for one sweep. Its rules live in plain classes: the book of grid points
/// (<see cref="SweepBook"/>), the search's trials (<see cref="SearchTrials"/>) and its metrics
/// (<see cref="SweepMetrics"/>). It never waits for an experiment: commands to them are one-way, and their phase
/// changes arrive as calls, so no turn needs to interleave.
/// </summary>
public sealed class SweepGrain(
    [PersistentState("sweep", GrainStorage.Name)] IPersistentState<SweepState> state,
    IOptions<EngineOptions> options, ILogger<SweepGrain> log) : Grain, ISweepGrain, IRemindable
{
    const string ReconcileReminder = "reconcile";
    readonly EngineOptions _options = options.Value;
    // Set once the sweep has a spec. The grid is computed on demand: a queued point costs its phase byte, nothing more.
    SweepBook? _book;
    SearchTrials? _trials;
    SweepMetrics? _metrics;
    IReadOnlyList<GridPoint> _grid = [];
    // Changes not yet written: flushed in batches, at most as often as the pacer allows.
    bool _dirty;
    readonly Pacer _flush = new();
    bool _reconciling;

    SweepState Stored => state.State;
    string Name => this.GetPrimaryKeyString();
    bool HasSpec => Stored.Spec is not null;
    // Active or paused sweeps, and cancelled ones still waiting for running attempts to stop.
    bool Reconciles => Stored.Status is SweepStatus.Active or SweepStatus.Paused
        || (Stored.Status == SweepStatus.Cancelled && _book?.Running > 0);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (HasSpec) Load();
        this.RegisterGrainTimer(Tick, TimeSpan.Zero, _options.SweepFlushInterval);
        // Phase changes are flushed in batches: a sweep reactivated after its silo died may have lost some, and the
        // notifications sent to the dead activation are gone. Reconcile at once instead of at the next reminder.
        if (HasSpec && Reconciles) StartReconciling(TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _metrics?.Stop();
        if (_dirty) await Persist();
    }

    public async Task<SweepSnapshot> Submit(SweepSpec spec)
    {
        if (spec.Name != Name) throw new ArgumentException($"name: '{spec.Name}' does not match the sweep grain '{Name}'");
        if (Stored.Spec is { } existing)
        {
            if (!SameSpec(existing, spec))
                throw new InvalidOperationException($"sweep '{Name}' already exists with a different spec; choose another name");
            return Snapshot();
        }
        var errors = SweepValidation.Validate(spec, _options.MaxExperimentsPerSweep);
        if (errors.Count > 0) throw new ArgumentException(string.Join("\n", errors));

        Stored.Spec = spec;
        Stored.Status = SweepStatus.Active;
        Stored.SubmittedAt = DateTimeOffset.UtcNow;
        Stored.Phases = new byte[GridExpansion.Count(spec)]; // all Pending; a search proposing its trials starts empty
        if (spec.ProposesTrials) Stored.Search = new SearchState();
        await Persist();
        Load();
        await GrainFactory.SweepRegistry().Add(Name);
        var reminderPeriod = _options.ReconcileInterval < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : _options.ReconcileInterval;
        await this.RegisterOrUpdateReminder(ReconcileReminder, reminderPeriod, reminderPeriod);
        StartReconciling(_options.ReconcileInterval);
        NotifyScheduler();
        return Snapshot();
    }

    public Task<SweepSnapshot> GetSnapshot() => Task.FromResult(Snapshot());

    public Task<SweepSpec?> GetSpec() => Task.FromResult(Stored.Spec);

    public Task<SearchSnapshot?> GetSearch() => Task.FromResult(
        Stored.Spec is not { Search: not null } spec || _book is null ? null
        : _trials?.Snapshot(Name, Stored) ?? SearchTrials.RankGrid(Name, spec, _grid, _book, Stored.Outcomes));

    public Task<CompletedExperiment[]> GetResults() => Task.FromResult(
        Stored.Outcomes.OrderBy(o => o.Key).Select(o => new CompletedExperiment(Key(o.Key), _grid[o.Key], o.Value)).ToArray());

    public Task<string[]> ListExperiments(ExperimentPhase phase, int max) =>
        Task.FromResult(_book?.In(phase, max).Select(Key).ToArray() ?? []);

    public async Task Cancel()
    {
        if (_book is null || Stored.Status is SweepStatus.Cancelled or SweepStatus.Completed) return;
        Stored.Status = SweepStatus.Cancelled;
        var running = _book.Cancel();
        await Persist();
        // Running experiments stop through their own grain: the node learns it at the next progress report.
        foreach (var i in running) Experiment(i).Cancel().Ignore();
    }

    public async Task Pause()
    {
        if (Stored.Status != SweepStatus.Active) return;
        Stored.Status = SweepStatus.Paused;
        await Persist();
    }

    public async Task Resume()
    {
        if (Stored.Status != SweepStatus.Paused) return;
        Stored.Status = SweepStatus.Active;
        await Persist();
        NotifyScheduler();
    }

    public async Task<int> RetryFailed()
    {
        if (_book is null) return 0;
        var failed = _book.In(ExperimentPhase.Failed);
        if (failed.Count > 0 && Stored.Status == SweepStatus.Completed)
        {
            Stored.Status = SweepStatus.Active;
            Stored.FinishedAt = null;
            await Persist();
        }
        // Each comes back Queued (or, were this book stale, with its real phase) through its own change.
        foreach (var i in failed) Experiment(i).Requeue().Ignore();
        NotifyScheduler();
        return failed.Count;
    }

    public async Task<string> Promote(string experimentKey)
    {
        if (_trials is null || _book is null) throw new InvalidOperationException($"sweep '{Name}' is not a search: only a search's trials stop at rungs");
        var trial = Enumerable.Range(0, _grid.Count).FirstOrDefault(i => Key(i) == experimentKey, -1);
        if (trial < 0) throw new InvalidOperationException($"sweep '{Name}' has no trial '{experimentKey}'; 'stablesnn results {Name}' lists them");
        if (Stored.Status == SweepStatus.Cancelled) throw new InvalidOperationException($"sweep '{Name}' was cancelled: nothing of it runs again");
        var decision = _trials.Promote(_book, trial);
        if (Stored.Status == SweepStatus.Completed)
        {
            Stored.Status = SweepStatus.Active;
            Stored.FinishedAt = null;
        }
        Decided([decision]);
        await Persist(); // durable before the trial runs on
        NotifyScheduler();
        return decision.Explain();
    }

    public async Task<QueuedExperiment[]> TakeWork(int max)
    {
        if (Stored.Status != SweepStatus.Active || _book is null) return [];
        var work = _book.Take(max, DateTimeOffset.UtcNow);
        if (work.Count > 0) _dirty = true;
        if (_trials?.Propose(_book, Stored.Outcomes, max - work.Count) is { Count: > 0 } proposed)
        {
            await Persist(); // a restarted sweep must not propose another point under the same trial number
            _metrics!.Proposed(proposed.Count);
            log.LogInformation("search {Sweep}: proposed {Count} trial(s), now {Trials}", Name, proposed.Count, _grid.Count);
            work.AddRange(proposed);
        }
        var spec = Stored.Spec!;
        return [.. work.Select(i => new QueuedExperiment(Key(i), Name, spec.Priority, spec.Resources.SlotKind, i))];
    }

    public Task<ExperimentAdmission> Admit(int index)
    {
        if (_book is null || !_book.Contains(index))
            throw new ArgumentOutOfRangeException(nameof(index), $"sweep '{Name}' has no grid index {index}");
        var trainer = Stored.Spec!.ExperimentSpec(_grid[index], _trials?.StopAtEpoch(index));
        return Task.FromResult(new ExperimentAdmission(trainer, Stored.Spec.MaxAttempts, Stored.Status, _book[index]));
    }

    public async Task OnExperimentChanged(ExperimentChange change)
    {
        if (_book is null || !_book.Contains(change.Index)) return;
        log.LogDebug("sweep {Sweep}: experiment {Index} reports {Phase} (was {Was}, attempts {Attempts})", Name, change.Index, change.Phase,
            _book[change.Index], change.Attempts);
        if (change.Phase == ExperimentPhase.Queued) NotifyScheduler(); // back to the sweep's queue, after its back-off
        _dirty = true;
        if (_trials is null)
        {
            var phase = _book.Report(change.Index, change.Phase, change.NotBefore, DateTimeOffset.UtcNow);
            // Keyed by grid index: recorded once however often reported. Written with the next periodic flush; an
            // outcome lost with a crash before that is re-sent by its experiment (durable) when reconcile or a re-offer asks.
            if (phase == ExperimentPhase.Completed && change.Outcome is not null) Stored.Outcomes[change.Index] = change.Outcome;
            if (phase.IsTerminal() && _book.AllEnded) await Finish();
            return;
        }
        var trial = _trials.Changed(_book, Stored.Outcomes, change, DateTimeOffset.UtcNow);
        if (trial.FirstCompletion) _metrics!.Completed();
        Decided(trial.Decisions);
        if (trial.Durable) await Persist(); // the decisions are durable before anyone acts on them
        await EndSearchOrGoOn();
    }

    /// <summary>
    /// A search whose budget is spent and that has nothing waiting or running either promotes the best trial waiting
    /// at the highest rung (no trial reached the last) or is finished; otherwise a place freed up or a trial went on.
    /// </summary>
    async Task EndSearchOrGoOn()
    {
        if (!_trials!.Spent(_book!))
        {
            if (Stored.Status == SweepStatus.Active) NotifyScheduler();
            return;
        }
        var promoted = Stored.Status == SweepStatus.Active ? _trials.PromoteAtEndOfBudget(_book!) : [];
        if (promoted.Count == 0)
        {
            await Finish();
            return;
        }
        Decided(promoted);
        await Persist();
        NotifyScheduler();
    }

    void Decided(IReadOnlyList<AshaDecision> decisions)
    {
        foreach (var d in decisions) log.LogInformation("search {Sweep}: trial {Trial} {Decision}", Name, d.Trial, d.Explain());
        _metrics!.Decided(decisions);
    }

    async Task Finish()
    {
        if (Stored.Status != SweepStatus.Cancelled) Stored.Status = SweepStatus.Completed;
        Stored.FinishedAt ??= DateTimeOffset.UtcNow;
        _dirty = true;
        await FlushIfDirty(force: true);
        Publish(force: true);
    }

    public async Task Reconcile()
    {
        if (_book is null) return;
        // Offers the scheduler may have lost are offered again; running experiments check their own leases, or are
        // told again to stop (a lost one-way command is never final).
        _book.Reoffer();
        ReleasePromotedTrials();
        var running = _book.In(ExperimentPhaseExtensions.IsRunning);
        log.LogDebug("sweep {Sweep}: reconcile asks {Running} running experiments to check their leases", Name, running.Count);
        foreach (var i in running)
            (Stored.Status == SweepStatus.Cancelled ? Experiment(i).Cancel() : Experiment(i).CheckLease(Name, i)).Ignore();
        if (_trials is not null && Stored.Status == SweepStatus.Active && _trials.Spent(_book)) await EndSearchOrGoOn();
        else if (Stored.Status == SweepStatus.Active) NotifyScheduler();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Reconciles) await Reconcile();
        else if (await this.GetReminder(reminderName) is { } reminder) await this.UnregisterReminder(reminder); // done: no safety net needed
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
        this.RegisterGrainTimer(async () => { if (Reconciles) await Reconcile(); }, dueTime, _options.ReconcileInterval);
    }

    void Load()
    {
        var spec = Stored.Spec!;
        if (spec.ProposesTrials)
        {
            Stored.Search ??= new SearchState();
            _trials = new SearchTrials(spec, Stored.Search);
            _grid = _trials.Points;
        }
        else
        {
            _grid = GridExpansion.Lazy(spec);
        }
        _book = new SweepBook(Stored);
        ReleasePromotedTrials();
        _metrics = new SweepMetrics(Name, spec);
        _metrics.Start();
        Publish();
    }

    void ReleasePromotedTrials()
    {
        foreach (var t in _trials?.ReleasePromoted(_book!) ?? [])
        {
            log.LogInformation("search {Sweep}: trial {Trial} was promoted but stopped; queued again", Name, t);
            _dirty = true;
        }
    }

    /// <summary>Periodic: write progress if it changed, and wake the scheduler when a retry's back-off has passed.</summary>
    async Task Tick()
    {
        if (Stored.Status == SweepStatus.Active && _book?.ReleaseDueRetries(DateTimeOffset.UtcNow) == true) NotifyScheduler();
        await FlushIfDirty();
        Publish();
    }

    void Publish(bool force = false) => _metrics?.Publish(Stored, _book!, _grid, DateTimeOffset.UtcNow, force);

    async Task FlushIfDirty(bool force = false)
    {
        if (!_dirty || (!force && !_flush.Due(DateTimeOffset.UtcNow))) return;
        var clock = Stopwatch.StartNew();
        await Persist();
        _flush.Ran(clock.Elapsed, DateTimeOffset.UtcNow);
    }

    /// <summary>Writes the state now; a failed write leaves it to the next flush.</summary>
    async Task Persist()
    {
        _dirty = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }

    void NotifyScheduler()
    {
        if (Stored.Spec is { } spec) GrainFactory.Scheduler().Notify(Name, spec.Priority, spec.MaxConcurrency).Ignore();
    }

    string Key(int index) => _grid[index].ExperimentKey(Name);

    IExperimentGrain Experiment(int index) => GrainFactory.GetGrain<IExperimentGrain>(Key(index));

    SweepSnapshot Snapshot() => new()
    {
        Name = Name, Status = Stored.Status, Total = Stored.Phases.Length, Counts = _book?.Counts ?? new int[Enum.GetValues<ExperimentPhase>().Length],
        SubmittedAt = Stored.SubmittedAt, FinishedAt = Stored.FinishedAt, Priority = Stored.Spec?.Priority ?? 0,
        MaxConcurrency = Stored.Spec?.MaxConcurrency ?? 0,
    };

    static bool SameSpec(SweepSpec a, SweepSpec b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);
}
