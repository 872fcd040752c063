using StableSnn.Grains.Model;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Search;

/// <summary>
/// One search's policy over its durable state, without a cluster: which trial to propose next and whether the budget
/// allows it, where each trial stops next, and what each rung report decides. Rebuilt from the state by replaying its
/// reports, so a restarted sweep grain makes exactly the decisions it made before.
/// </summary>
public sealed class SearchRun
{
    readonly SweepSpec _sweep;
    readonly SearchState _state;
    readonly IProposer _proposer;
    readonly Dictionary<int, List<AshaDecision>> _decisions = [];
    // One policy and state per Hyperband bracket (one for plain ASHA); bracket b's rung k is the search's rung b + k.
    readonly IReadOnlyList<AshaPolicy> _brackets = [];
    readonly AshaState[] _states = [];

    public SearchSpec Spec { get; }
    /// <summary>Null unless the algorithm is asha: other searches train every trial to the end. Its rungs are the search's.</summary>
    public AshaPolicy? Asha { get; }

    public SearchRun(SweepSpec sweep, SearchState state)
    {
        _sweep = sweep;
        _state = state;
        Spec = sweep.Search ?? throw new ArgumentException("the sweep has no search section", nameof(sweep));
        _proposer = Spec.CreateProposer();
        if (Spec.Algorithm == "asha")
        {
            // Fixed at the start and kept: replay must not depend on what the planner says today.
            if (state.CohortPlan is null && state.Trials.Count == 0) state.CohortPlan = Spec.CohortTrials(sweep.Epochs) ?? 0;
            CohortTrials = state.CohortPlan is { } kept ? kept > 0 ? kept : null : Spec.CohortTrials(sweep.Epochs);
            _brackets = Spec.Asha.BracketPolicies(sweep.Epochs, CohortTrials);
            Asha = _brackets.Count == 1 ? _brackets[0] : Spec.Asha.Policy(sweep.Epochs);
            _states = [.. _brackets.Select(p => p.Empty)];
            foreach (var report in state.Reports) Apply(report);
        }
    }

    public int TrialCount => _state.Trials.Count;

    /// <summary>The trials of a search whose rungs are synchronous cohorts: no more are proposed (the first cohort is all of them).</summary>
    public int? CohortTrials { get; }

    /// <summary>At most this many trials wait for or hold a slot: the sweep's maxConcurrency, else <see cref="SearchSpec.DefaultParallelTrials"/>.</summary>
    public int ParallelTrials => _sweep.MaxConcurrency > 0 ? _sweep.MaxConcurrency : SearchSpec.DefaultParallelTrials;

    public GridPoint PointOf(int trial)
    {
        var values = _state.Trials[trial];
        var space = Spec.Space;
        double? Value(string name) => space.IndexOf(name) is >= 0 and var i ? values[i] : null;
        return new GridPoint(_sweep.Datasets[0], _sweep.Architectures[0], _sweep.Neurons[0], _sweep.Modes[0],
            Value("alpha") ?? 0, _sweep.Seeds[0])
        {
            Trial = trial, LearningRate = Value("learningRate"), TimeSteps = Value("timeSteps") is { } t ? (int)t : null,
        };
    }

    /// <summary>Epochs committed so far: each trial's next rung (ASHA) or all epochs.</summary>
    public long TrainerEpochs => Enumerable.Range(0, TrialCount).Sum(t => (long)EpochsOf(t));

    public double SlotSeconds => _state.SlotSeconds.Values.Sum();

    /// <summary>What proposing one more trial would commit: its first rung, or every epoch.</summary>
    int NewTrialEpochs => Asha is null ? _sweep.Epochs : Asha.RungEpochs[BracketOf(TrialCount)];

    /// <summary>The budget allows another trial: the first limit reached ends proposals (promotions still run).</summary>
    public bool BudgetLeft
    {
        get
        {
            var b = Spec.Budget;
            return (b.Experiments is not { } n || TrialCount < n) && (CohortTrials is not { } c || TrialCount < c)
                && (b.TrainerEpochs is not { } e || TrainerEpochs + NewTrialEpochs <= e)
                && (b.SlotHours is not { } h || SlotSeconds < h * 3600);
        }
    }

    /// <summary>A new trial may start: budget left and fewer than <see cref="ParallelTrials"/> active.</summary>
    public bool MayPropose(int activeTrials) => activeTrials < ParallelTrials && BudgetLeft;

    /// <summary>
    /// Proposes the next trial and records it (the caller persists it before the trial runs). Values are rounded to 3
    /// significant digits: keys and tables stay readable, and finer steps in these weights are noise.
    /// </summary>
    public int Propose(IReadOnlyList<SearchObservation> finished)
    {
        int trial = TrialCount;
        var point = _proposer.Propose(trial, finished);
        _state.Trials.Add([.. point.Values.Select((v, i) => Round(Spec.Space.Dimensions[i], v))]);
        return trial;
    }

    static double Round(SearchDimension d, double v)
    {
        if (d.Kind == DimensionKind.Choice || v == 0) return v;
        double rounded = Math.Round(v, Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(v))), 0, 15));
        return Math.Clamp(rounded, d.Low, d.High);
    }

    /// <summary>The trial's Hyperband bracket: round robin by trial number (0 with one bracket).</summary>
    public int BracketOf(int trial) => _brackets.Count == 0 ? 0 : trial % _brackets.Count;

    /// <summary>The rung a trial trains towards: its bracket's first, or one past the last rung that promoted it.</summary>
    public int TargetRung(int trial)
    {
        if (Asha is null) return 0;
        int b = BracketOf(trial), local = 0;
        while (local < _brackets[b].RungEpochs.Count - 1 && _states[b].IsPromoted(trial, local)) local++;
        return b + local;
    }

    /// <summary>Promoted from the highest rung it reported at: its next attempt trains on to the next rung.</summary>
    public bool PromotedPastItsRung(int trial)
    {
        int reached = -1;
        foreach (var r in _state.Reports) if (r.Trial == trial) reached = Math.Max(reached, r.Rung);
        return reached >= 0 && TargetRung(trial) > reached;
    }

    /// <summary>Where the trial's next attempt stops: its target rung's epoch, or null to train to the end and attack.</summary>
    public int? StopAtEpoch(int trial)
    {
        if (Asha is null) return null;
        int rung = TargetRung(trial);
        return rung == Asha.RungEpochs.Count - 1 ? null : Asha.RungEpochs[rung];
    }

    int EpochsOf(int trial) => Asha is null ? _sweep.Epochs : Asha.RungEpochs[TargetRung(trial)];

    /// <summary>
    /// A trial paused at a rung. Returns the decisions it caused (its own first, then earlier trials it let through),
    /// empty when the report is a repeat or does not fit (not an ASHA search, an epoch that is no rung, a trial not
    /// promoted to that rung): reports are re-sent after restarts, and the first one stands.
    /// </summary>
    public IReadOnlyList<AshaDecision> ReportRung(int trial, RungMeasurement rung)
    {
        if (Asha is null) return [];
        int k = Asha.RungEpochs.ToList().IndexOf(rung.Epoch);
        if (k < 0 || k == Asha.RungEpochs.Count - 1) return [];
        return Report(new TrialRungReport(trial, k, Spec.Objective.RungScore(rung), rung));
    }

    /// <summary>
    /// A trial failed for good before its next rung. Under cohorts it reports there as a failed score (NaN ranks last,
    /// no mask, so it is never promoted), or its cohort would wait for it forever; otherwise nothing changes.
    /// </summary>
    public IReadOnlyList<AshaDecision> ReportFailure(int trial)
    {
        if (Asha is null || _brackets[BracketOf(trial)].Cohorts is null) return [];
        int k = TargetRung(trial);
        if (k == Asha.RungEpochs.Count - 1) return [];
        return Report(new TrialRungReport(trial, k, double.NaN, null));
    }

    /// <summary>A trial completed: under ASHA its objective is its score at the last rung.</summary>
    public IReadOnlyList<AshaDecision> ReportOutcome(int trial, ExperimentOutcome outcome)
    {
        if (Asha is null) return [];
        double score = Spec.Objective.Of(outcome)?.Score ?? double.NaN;
        return Report(new TrialRungReport(trial, Asha.RungEpochs.Count - 1, score, null));
    }

    IReadOnlyList<AshaDecision> Report(TrialRungReport report)
    {
        if (_state.Reports.Any(r => r.Trial == report.Trial && r.Rung == report.Rung && !r.EndOfBudget && !r.ByOperator)) return [];
        int b = BracketOf(report.Trial), local = report.Rung - b;
        if (local < 0 || (local > 0 && !_states[b].IsPromoted(report.Trial, local - 1))) return []; // below its bracket, or not promoted there
        var decisions = Apply(report);
        _state.Reports.Add(report);
        return decisions;
    }

    /// <summary>A report (at the search's rung) applied to its trial's bracket; the decisions are recorded at the search's rungs.</summary>
    IReadOnlyList<AshaDecision> Apply(TrialRungReport r)
    {
        int b = BracketOf(r.Trial);
        var step = _states[b].Apply(new RungReport(r.Trial, r.Rung - b, r.Score, r.EndOfBudget)
        {
            Mask = r.Measurement?.Mask, Examples = r.Measurement?.ProbeExamples ?? 0, ByOperator = r.ByOperator,
        });
        _states[b] = step.State;
        var decisions = step.LatePromotions.Prepend(step.Decision)
            .Select(d => _brackets.Count == 1 ? d : d with { Rung = d.Rung + b, Bracket = b }).ToList();
        foreach (var d in decisions)
        {
            if (!_decisions.TryGetValue(d.Trial, out var list)) _decisions[d.Trial] = list = [];
            list.Add(d);
        }
        return decisions;
    }

    /// <summary>
    /// An operator promotes a trial waiting at a rung (held, stopped by the rung or by its paired test): it trains on
    /// to the next rung from its checkpoint. Recorded like a report, so a restart replays it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not an ASHA search, or the trial does not wait at a rung; the message says why.</exception>
    public AshaDecision Promote(int trial)
    {
        if (Asha is null) throw new InvalidOperationException($"only an ASHA search stops trials at rungs; this one is {Spec.Algorithm}");
        if (trial < 0 || trial >= TrialCount) throw new InvalidOperationException($"the search has no trial {trial} (it has {TrialCount})");
        int k = TargetRung(trial);
        var reported = _state.Reports.FirstOrDefault(r => r.Trial == trial && r.Rung == k && !r.EndOfBudget && !r.ByOperator);
        if (k == Asha.RungEpochs.Count - 1) throw new InvalidOperationException($"trial {trial} was promoted to the last rung already: it trains to the end");
        if (reported is null || double.IsNaN(reported.Score))
            throw new InvalidOperationException($"trial {trial} has not reported at rung {k} ({Asha.RungEpochs[k]} epochs): it is still on its way there, or failed");
        var report = new TrialRungReport(trial, k, reported.Score, null) { ByOperator = true };
        var decision = Apply(report)[0];
        _state.Reports.Add(report);
        return decision;
    }

    /// <summary>
    /// The budget is spent and nothing runs, yet a bracket has no trial at the last rung (a small budget, or a large
    /// eta): that bracket's best trial waiting at its highest rung goes on, one rung at a time, so every bracket ends
    /// with a result (as the plan counts them). Recorded like a report, so a restart replays it. Empty when every
    /// bracket completed a trial or none can go on.
    /// </summary>
    public IReadOnlyList<AshaDecision> PromoteAtEndOfBudget(Func<int, bool> waiting)
    {
        if (Asha is null || BudgetLeft) return [];
        var decisions = new List<AshaDecision>();
        for (int b = 0; b < _states.Length; b++)
        {
            if (_states[b].EndOfBudgetCandidate(waiting) is not { } trial) continue;
            int rung = TargetRung(trial);
            var report = new TrialRungReport(trial, rung, _state.Reports.First(r => r.Trial == trial && r.Rung == rung).Score, null) { EndOfBudget = true };
            decisions.Add(Apply(report)[0]);
            _state.Reports.Add(report);
        }
        return decisions;
    }

    public IReadOnlyList<AshaDecision> DecisionsOf(int trial) => _decisions.TryGetValue(trial, out var list) ? list : [];

    public void RecordSlotSeconds(int trial, double seconds)
    {
        if (seconds > 0) _state.SlotSeconds[trial] = seconds;
    }

    /// <summary>What model-based proposers learn from: completed trials' scores, failed ones as NaN, by trial number.</summary>
    public IReadOnlyList<SearchObservation> Observations(IReadOnlyDictionary<int, ExperimentOutcome> outcomes, Func<int, bool> failed)
    {
        var list = new List<SearchObservation>();
        for (int t = 0; t < TrialCount; t++)
        {
            var point = new SearchPoint(_state.Trials[t]);
            if (outcomes.TryGetValue(t, out var o)) list.Add(new(point, Spec.Objective.Of(o)?.Score ?? double.NaN));
            else if (failed(t)) list.Add(new(point, double.NaN));
        }
        return list;
    }

    /// <summary>The search as the CLI shows it, given each trial's phase and the completed outcomes.</summary>
    public SearchSnapshot Snapshot(string sweep, IReadOnlyList<byte> phases, IReadOnlyDictionary<int, ExperimentOutcome> outcomes)
    {
        var trials = Enumerable.Range(0, TrialCount).Select(t =>
        {
            var point = PointOf(t);
            var phase = t < phases.Count ? (ExperimentPhase)phases[t] : ExperimentPhase.Pending;
            return new TrialSnapshot
            {
                Number = t, Key = point.ExperimentKey(sweep), Point = point,
                Phase = phase,
                Paused = phase == ExperimentPhase.Stopped && DecisionsOf(t).LastOrDefault() is { Action: AshaAction.Wait or AshaAction.Hold },
                TargetRung = TargetRung(t), Epochs = EpochsOf(t),
                Rungs = [.. _state.Reports.Where(r => r.Trial == t && !r.EndOfBudget && !r.ByOperator).Select(r => new RungScore(r.Rung, Asha?.RungEpochs[r.Rung] ?? _sweep.Epochs, r.Score, r.Measurement))],
                Decisions = [.. DecisionsOf(t).Select(d => d.Explain())],
                Objective = outcomes.TryGetValue(t, out var o) ? Spec.Objective.Of(o) : null,
                SlotSeconds = _state.SlotSeconds.GetValueOrDefault(t),
            };
        }).ToArray();
        return Summarise(Spec, trials, Asha is null ? [] : [.. Asha.RungEpochs], TrainerEpochs, SlotSeconds, !BudgetLeft)
            with { History = [.. _state.Reports] };
    }

    /// <summary>The best completed trial that meets the clean floor, and the clean/robust Pareto front of the completed ones.</summary>
    public static SearchSnapshot Summarise(SearchSpec spec, TrialSnapshot[] trials, int[] rungEpochs, long trainerEpochs,
        double slotSeconds, bool budgetSpent)
    {
        var completed = trials.Where(t => t.Objective is not null && t.Phase == ExperimentPhase.Completed).ToList();
        var best = completed.Where(t => t.Objective!.Feasible).OrderByDescending(t => t.Objective!.Robust).ThenBy(t => t.Number).FirstOrDefault();
        var front = ParetoFront.Of(completed.Select(t => new ParetoPoint(t.Number, t.Objective!.Clean, t.Objective.Robust)));
        return new SearchSnapshot
        {
            Spec = spec, RungEpochs = rungEpochs, Trials = trials, BestTrial = best?.Number, TrainerEpochs = trainerEpochs,
            SlotSeconds = slotSeconds, BudgetSpent = budgetSpent, ParetoFront = [.. front.Select(p => p.Trial)],
        };
    }
}
