using System.Globalization;
using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;

namespace StableSnn.Client.Results;

/// <summary>
/// One trial as every search view shows it: where it ended, its score at each rung (null where it never got), its
/// objective, and whether it is the best or on the Pareto front.
/// </summary>
public sealed record SearchRow(TrialSnapshot Trial, string Status, double?[] RungScores, bool OnFront, bool IsBest)
{
    public int Number => Trial.Number;
    public string Id => TrialLabel.Of(Trial.Number);
    public ObjectiveValue? Objective => Trial.Objective;
    public bool IsStopped => Trial.Phase == ExperimentPhase.Stopped;

    /// <summary>The robust accuracy of its probe at the last inner rung it reached, null without one.</summary>
    public RungMeasurement? LastProbe => Trial.Rungs.LastOrDefault(r => r.Measurement is not null)?.Measurement;
}

/// <summary>The search's trials as rows, in trial order or ranked, and the wording the console, files and report share.</summary>
public static class SearchTable
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>completed, stopped at rung k, failed, cancelled, running (training or attacking) or waiting.</summary>
    public static string Status(TrialSnapshot t) => t.Phase switch
    {
        ExperimentPhase.Completed => "completed",
        ExperimentPhase.Stopped => $"stopped at rung {StopRung(t)}",
        ExperimentPhase.Failed => "failed",
        ExperimentPhase.Cancelled => "cancelled",
        _ when t.Phase.IsRunning() => "running",
        _ => "waiting",
    };

    /// <summary>The rung a stopped trial waits at: its last report (its target, were a report ever missing).</summary>
    public static int StopRung(TrialSnapshot t) => t.Rungs.Length > 0 ? t.Rungs.Max(r => r.Rung) : t.TargetRung;

    /// <summary>"rung 1 (3 epochs)".</summary>
    public static string Rung(SearchSnapshot s, int rung) =>
        rung < s.RungEpochs.Length ? $"rung {rung} ({Epochs(s.RungEpochs[rung])})" : $"rung {rung}";

    public static string Epochs(long n) => n == 1 ? "1 epoch" : $"{n} epochs";

    /// <summary>Every trial in trial order.</summary>
    public static IReadOnlyList<SearchRow> ByTrial(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var front = s.ParetoFront.ToHashSet();
        return s.Trials.OrderBy(t => t.Number).Select(t => new SearchRow(t, Status(t),
            [.. Enumerable.Range(0, s.RungEpochs.Length).Select(k => t.Rungs.FirstOrDefault(r => r.Rung == k)?.Score)],
            front.Contains(t.Number), s.BestTrial == t.Number)).ToList();
    }

    /// <summary>
    /// Completed trials by objective (their score, so trials under the clean floor come after every feasible one), then
    /// completed ones the suite measured nothing for, then stopped trials (furthest rung, then last score), then the rest
    /// by number.
    /// </summary>
    public static IReadOnlyList<SearchRow> Ranked(SearchSnapshot s) => ByTrial(s)
        .OrderBy(r => r.Trial.Phase switch
        {
            ExperimentPhase.Completed => r.Objective is null ? 1 : 0,
            ExperimentPhase.Stopped => 2,
            _ => 3,
        })
        .ThenByDescending(r => r.Objective?.Score ?? 0)
        .ThenByDescending(r => r.IsStopped ? StopRung(r.Trial) : 0)
        .ThenByDescending(r => r.IsStopped ? r.Trial.Rungs.LastOrDefault()?.Score ?? double.NegativeInfinity : 0)
        .ThenBy(r => r.Number)
        .ToList();

    /// <summary>"worst-case 8/255": the measure and epsilon the objective reads.</summary>
    public static string ObjectiveName(SearchSpec spec) =>
        $"{spec.Objective.Measure} {spec.Objective.Epsilon255.ToString("0.###", Invariant)}/255";

    /// <summary>The searched values a trial runs with: "alpha 0.5, learning rate 0.001, time steps 6".</summary>
    public static string Values(GridPoint p) => string.Join(", ", new[]
    {
        $"alpha {Number(p.Alpha)}",
        p.LearningRate is { } lr ? $"learning rate {Number(lr)}" : null,
        p.TimeSteps is { } t ? $"time steps {t}" : null,
    }.Where(x => x is not null));

    public static string Number(double value) => value.ToString("G4", Invariant);

    /// <summary>
    /// What the search used against each limit its spec sets: "9 of 12 trials, 27 of 40 trainer-epochs, 0.31 of 2
    /// slot-hours". A grid search has no budget: it runs its grid.
    /// </summary>
    public static string BudgetUsed(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Spec.Algorithm == "grid") return $"{s.Trials.Length} grid points (a grid search runs its grid; no budget)";
        var b = s.Spec.Budget;
        var parts = new List<string>();
        if (b.Experiments is { } n) parts.Add($"{s.Trials.Length} of {n} trials");
        if (b.TrainerEpochs is { } e) parts.Add($"{s.TrainerEpochs} of {e} trainer-epochs");
        if (b.SlotHours is { } h) parts.Add($"{(s.SlotSeconds / 3600).ToString("0.00", Invariant)} of {h.ToString("0.##", Invariant)} slot-hours");
        if (parts.Count == 0) parts.Add($"{s.Trials.Length} trials, {s.TrainerEpochs} trainer-epochs (no limit set)");
        return string.Join(", ", parts) + (s.BudgetSpent ? "; budget spent, no new trials" : "");
    }

    /// <summary>
    /// Whether early stopping was calibrated on this problem: Kendall's tau between the first rung's scores and the final
    /// scores of the trials that finished, with its interval. An interval that reaches 0 (or too few finished trials to
    /// have one) means the rung's ranking did not measurably predict the objective: the stopped trials were stopped on
    /// a guess. Null for searches without rungs.
    /// </summary>
    public static string? Calibration(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.RungEpochs.Length < 2) return null;
        var finished = s.Trials
            .Where(t => t.Phase == ExperimentPhase.Completed && t.Objective is not null && t.Rungs.Any(r => r.Rung == 0))
            .Select(t => (Rung: t.Rungs.First(r => r.Rung == 0).Score, Final: t.Objective!.Score)).ToList();
        var rung = Rung(s, 0);
        const string advice = "use finalists only (fewer, later rungs: minEpochs nearer epochs) or a grid";
        if (finished.Count < 2)
            return $"early stopping uncalibrated on this problem: {finished.Count} finished trial(s) to compare {rung} scores with final scores; {advice}";
        var agreement = RankCorrelation.KendallTau([.. finished.Select(f => f.Rung)], [.. finished.Select(f => f.Final)]);
        var tau = $"Kendall tau {agreement.Tau.ToString("0.00", Invariant)}";
        if (agreement.Interval is not { } ci)
            return $"early stopping uncalibrated on this problem: {tau} between {rung} and final scores of {finished.Count} finished trials, too few for an interval (5 or more); {advice}";
        var interval = $"{tau} [{ci.Low.ToString("0.00", Invariant)}, {ci.High.ToString("0.00", Invariant)}] between {rung} and final scores of {finished.Count} finished trials";
        return ci.Low <= 0 ? $"early stopping uncalibrated on this problem: {interval}; {advice}" : $"early stopping calibrated: {interval}";
    }

    /// <summary>
    /// The best trial as a claim: its robust accuracy with the Wilson interval over the images, and an exact McNemar
    /// test against the runner-up on the same images (images right under the suite for one of the two only). A best
    /// within paired noise of the runner-up is said to be so: the search found a region, not a winner. Null before a
    /// trial completes with an objective.
    /// </summary>
    public static string? BestClaim(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Best is not { Objective: { } b } best) return null;
        var claim = $"{TrialLabel.Of(best.Number)} ({Values(best.Point)}) robust {PivotFormat.Percent(b.Robust)}%";
        if (b.Examples > 0) claim += $" {PivotFormat.Interval(Accuracy.Wilson(b.Robust, b.Examples))} on {b.Examples} images";
        var runnerUp = Ranked(s).FirstOrDefault(r => r.Number != best.Number && r.Trial.Phase == ExperimentPhase.Completed && r.Objective is not null);
        if (runnerUp?.Objective is not { } r) return claim + "; no runner-up to test it against";
        var against = $"against the runner-up {runnerUp.Id} ({Values(runnerUp.Trial.Point)}, {PivotFormat.Percent(r.Robust)}%): " +
            $"{((b.Robust - r.Robust) * 100).ToString("+0.0;-0.0;0.0", Invariant)} points";
        if (b.Mask is null || r.Mask is null || b.Examples != r.Examples || b.Examples == 0)
            return $"{claim}; {against}, untested (no per-image results on the same images)";
        var (onlyBest, onlyRunnerUp) = ExampleMask.Discordant(ExampleMask.Unpack(b.Mask, b.Examples), ExampleMask.Unpack(r.Mask, r.Examples));
        double p = Accuracy.McNemarExact(onlyBest, onlyRunnerUp);
        var test = $"{onlyBest} images robust for the best only, {onlyRunnerUp} for the runner-up only, McNemar p = {PivotFormat.P(p)}";
        return $"{claim}; {against}, {test}: " + (p < 0.05 ? "better beyond paired noise" : "within paired noise of it, so the search found a region rather than a winner");
    }

    /// <summary>What a row's notes say: best, on the front, under the floor, a stopped trial's last probe.</summary>
    public static IEnumerable<string> Notes(SearchRow r, SearchSpec spec)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(spec);
        if (r.IsBest) yield return "best";
        if (r.OnFront) yield return "Pareto front";
        if (r.Objective is { Feasible: false }) yield return "under the clean floor";
        if (r.IsStopped && r.LastProbe is { } probe)
        {
            yield return $"probe {PivotFormat.Percent(probe.ProbeRobustAccuracy)}% at {Epochs(probe.Epoch)}";
            if (spec.Objective.CleanFloor is { } floor && probe.ValidationAccuracy < floor) yield return "validation under the clean floor";
        }
        if (r.Trial.Phase == ExperimentPhase.Completed && r.Objective is null) yield return $"the suite measured nothing at {ObjectiveName(spec)}";
    }

    /// <summary>Robust and clean accuracy, the floor and the doubt, in words: what a user needs to trust the number.</summary>
    public static string Describe(ObjectiveValue o, SearchSpec spec) =>
        $"robust {PivotFormat.Percent(o.Robust)}% ({o.Measure}), clean {PivotFormat.Percent(o.Clean)}%" +
        (spec.Objective.CleanFloor is { } floor
            ? o.Feasible ? $", meets the clean floor {PivotFormat.Percent(floor)}%" : $", under the clean floor {PivotFormat.Percent(floor)}%"
            : "") +
        (o.Doubted ? "; doubted: masking checks fired, the robust accuracy may be overstated" : "");
}
