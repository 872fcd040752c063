using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;

namespace StableSnn.Grains.Sweeps;

/// <summary>What a trial's change did to the search: the decisions it caused, and whether they must be durable now.</summary>
/// <param name="Decisions">This trial's decision first (when it reported at a rung), then trials it let through.</param>
/// <param name="FirstCompletion">A trial of a search without rungs completed for the first time.</param>
/// <param name="Durable">Decisions or a rung report or a result: written before anyone acts on them.</param>
public sealed record TrialChange(IReadOnlyList<AshaDecision> Decisions, bool FirstCompletion, bool Durable);

/// <summary>
/// A search's trials in its sweep's book: proposes new trials into free places, applies each trial's reports through
/// <see cref="SearchRun"/> (queueing the trials it promotes) and ends the search once its budget is spent. No cluster.
/// </summary>
public sealed class SearchTrials
{
    readonly SearchRun _run;
    readonly List<GridPoint> _points;

    public SearchTrials(SweepSpec spec, SearchState state)
    {
        _run = new SearchRun(spec, state); // replays the rung reports: the same decisions as before a restart
        _points = [.. Enumerable.Range(0, _run.TrialCount).Select(_run.PointOf)];
    }

    /// <summary>Each trial's point; a trial's number is its index in the sweep's book.</summary>
    public IReadOnlyList<GridPoint> Points => _points;

    /// <summary>Where the trial's next attempt stops: its next rung's epoch, or null to train to the end.</summary>
    public int? StopAtEpoch(int trial) => _run.StopAtEpoch(trial);

    /// <summary>
    /// New trials for up to <paramref name="room"/> free places while the budget lasts, added to the book and offered.
    /// Each is in the state before it runs (the caller persists it): a restart must not propose another point under
    /// the same number.
    /// </summary>
    public List<int> Propose(SweepBook book, IReadOnlyDictionary<int, ExperimentOutcome> outcomes, int room)
    {
        var proposed = new List<int>();
        while (proposed.Count < room && _run.MayPropose(book.Active))
        {
            int trial = _run.Propose(_run.Observations(outcomes, t => book[t] == ExperimentPhase.Failed));
            if (book.AddOffered() != trial) throw new InvalidOperationException($"trial {trial} does not match the sweep's {book.Total} points");
            _points.Add(_run.PointOf(trial));
            proposed.Add(trial);
        }
        return proposed;
    }

    /// <summary>
    /// A trial changed. A rung report or a completion goes through the policy; promoted trials are queued again. A
    /// repeated rung report (re-sent after a restart) for a trial promoted since leaves it as it is.
    /// </summary>
    public TrialChange Changed(SweepBook book, IDictionary<int, ExperimentOutcome> outcomes, ExperimentChange change, DateTimeOffset now)
    {
        int trial = change.Index;
        _run.RecordSlotSeconds(trial, change.SlotSeconds);
        IReadOnlyList<AshaDecision> decisions = [];
        var phase = change.Phase;
        if (phase == ExperimentPhase.Stopped && change.Rung is { } rung)
        {
            decisions = _run.ReportRung(trial, rung);
            bool repeat = decisions.Count == 0 && _run.StopAtEpoch(trial) != rung.Epoch && book[trial] != ExperimentPhase.Stopped;
            if (repeat && !book[trial].IsRunning()) return new TrialChange([], false, false);
            if (repeat)
            {
                // The book says it runs, the experiment says it waits at the rung with no attempt (the book heard of an
                // attempt that a restart lost): it is not running, so it is queued again for the rung it was promoted to.
                book.Requeue(trial);
                return new TrialChange([], false, true);
            }
        }
        phase = book.Report(trial, phase, change.NotBefore, now);
        if (phase == ExperimentPhase.Failed) decisions = _run.ReportFailure(trial);
        bool first = false;
        if (phase == ExperimentPhase.Completed && change.Outcome is { } outcome)
        {
            first = outcomes.TryAdd(trial, outcome) && _run.Asha is null;
            decisions = _run.ReportOutcome(trial, outcome);
        }
        Queue(book, decisions);
        return new TrialChange(decisions, first, decisions.Count > 0 || phase is ExperimentPhase.Stopped or ExperimentPhase.Completed);
    }

    /// <summary>Nothing waits or runs and the budget allows no new trial: the search ends, unless a waiting trial goes on.</summary>
    public bool Spent(SweepBook book) => book.Active == 0 && !_run.BudgetLeft;

    /// <summary>
    /// The budget is spent, nothing runs, yet no trial reached the last rung: the best trial waiting at the highest rung
    /// is promoted and queued (recorded like a report, so a restart replays it). Empty when none can go on.
    /// </summary>
    public IReadOnlyList<AshaDecision> PromoteAtEndOfBudget(SweepBook book)
    {
        var decisions = _run.PromoteAtEndOfBudget(t => book[t] == ExperimentPhase.Stopped);
        Queue(book, decisions);
        return decisions;
    }

    /// <summary>An operator's promotion of a stopped trial (see <see cref="SearchRun.Promote"/>), queued to train on.</summary>
    /// <exception cref="InvalidOperationException">The trial is not stopped at a rung; the message says why.</exception>
    public AshaDecision Promote(SweepBook book, int trial)
    {
        if (book[trial] != ExperimentPhase.Stopped)
            throw new InvalidOperationException($"trial {trial} is {book[trial]}, not stopped at a rung: only a stopped trial can be promoted");
        var decision = _run.Promote(trial);
        Queue(book, [decision]);
        return decision;
    }

    /// <summary>
    /// Phases follow from the durable rung reports: a trial the replayed policy promoted past the rung it reported at
    /// trains on, whatever phase an interrupted turn left it in. Returns the trials queued again.
    /// </summary>
    public List<int> ReleasePromoted(SweepBook book)
    {
        var released = book.In(ExperimentPhase.Stopped).Where(_run.PromotedPastItsRung).ToList();
        foreach (var t in released) book.Requeue(t);
        return released;
    }

    /// <summary>The search as the CLI shows it.</summary>
    public SearchSnapshot Snapshot(string sweep, SweepState state) => _run.Snapshot(sweep, state.Phases, state.Outcomes);

    /// <summary>A grid search ranks the grid: one trial per grid point, every epoch, no rungs.</summary>
    public static SearchSnapshot RankGrid(string sweep, SweepSpec spec, IReadOnlyList<GridPoint> grid, SweepBook book,
        IReadOnlyDictionary<int, ExperimentOutcome> outcomes)
    {
        var search = spec.Search ?? throw new ArgumentException("the sweep has no search section", nameof(spec));
        var trials = grid.Select((p, i) => new TrialSnapshot
        {
            Number = i, Key = p.ExperimentKey(sweep), Point = p, Phase = book[i], Epochs = spec.Epochs,
            Objective = outcomes.TryGetValue(i, out var o) ? search.Objective.Of(o) : null,
        }).ToArray();
        return SearchRun.Summarise(search, trials, [], (long)spec.Epochs * trials.Length, 0, budgetSpent: true);
    }

    /// <summary>Promoted trials waiting at their rung train on; one already on its way (an operator's promotion) or failed stays as it is.</summary>
    static void Queue(SweepBook book, IEnumerable<AshaDecision> decisions)
    {
        foreach (var d in decisions)
            if (d.Action == AshaAction.Promote && book[d.Trial] == ExperimentPhase.Stopped) book.Requeue(d.Trial);
    }
}
