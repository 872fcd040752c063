using System.Collections.Immutable;
using System.Globalization;
using StableSnn.Contracts;

namespace StableSnn.Grains.Search;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020). Rungs sit at epochs r, r*eta, r*eta^2 ... below the
/// maximum, and at the maximum itself (where a trial is complete). A trial that reaches a rung reports a score; it
/// goes on to the next rung when it is among the best floor(n/eta) of the n trials that reported at that rung so far.
/// Nobody waits for a rung to fill: a trial outside the top is paused with its checkpoint and may still be promoted
/// later, when more (weaker) trials have reported and floor(n/eta) has grown. Those decisions follow arrival order.
/// With <see cref="Cohorts"/> (small searches) each rung is instead a synchronous cohort: the trials the plan sends
/// there wait until all have reported, then the rung decides for all of them at once (top max(1, floor(n/eta)) go on),
/// so the decisions depend on the set of scores, never on the order they came in. A report after its cohort closed
/// (a late end-of-budget promotion) is decided asynchronously.
/// </summary>
public sealed class AshaPolicy
{
    public int MinEpochs { get; }
    public int Eta { get; }
    public int MaxEpochs { get; }
    /// <summary>Epochs of each rung; the last is <see cref="MaxEpochs"/>.</summary>
    public IReadOnlyList<int> RungEpochs { get; }

    /// <summary>
    /// When set, a trial outside a rung's top is stopped (for good: no later promotion) only when an exact McNemar test
    /// on the probe's images says it is worse than the rung's leader at this level; otherwise it is held, still
    /// eligible. Null: classic ASHA (every trial outside the top is paused and may be promoted later).
    /// </summary>
    public double? StopSignificance { get; }

    /// <summary>Per rung below the last, the size of its synchronous cohort; null for asynchronous rungs.</summary>
    public IReadOnlyList<int>? Cohorts { get; }

    public AshaPolicy(int minEpochs, int eta, int maxEpochs, double? stopSignificance = null, IReadOnlyList<int>? cohorts = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);
        if (stopSignificance is { } p && !(p is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(stopSignificance), p, "must be in (0, 1)");
        (MinEpochs, Eta, MaxEpochs, StopSignificance) = (minEpochs, eta, maxEpochs, stopSignificance);
        var rungs = new List<int>();
        for (long epochs = minEpochs; epochs < maxEpochs; epochs *= eta) rungs.Add((int)epochs);
        rungs.Add(maxEpochs);
        RungEpochs = rungs;
        if (cohorts is not null && (cohorts.Count < rungs.Count - 1 || cohorts.Any(c => c < 1)))
            throw new ArgumentException($"cohorts need a size of at least 1 for each of the {rungs.Count - 1} rungs below the last", nameof(cohorts));
        Cohorts = cohorts;
    }

    public AshaState Empty => new(this, []);
}

/// <summary>
/// Trial <see cref="Trial"/> reached rung <see cref="Rung"/> (index into <see cref="AshaPolicy.RungEpochs"/>) with a score (higher is
/// better). <see cref="EndOfBudget"/>: not a report but the search's last resort, promoting a trial that already reported
/// at that rung because the budget is spent and no trial reached the last rung (see <see cref="AshaState.Apply"/>).
/// </summary>
public sealed record RungReport(int Trial, int Rung, double Score, bool EndOfBudget = false)
{
    /// <summary>Per-image correctness on the probe's images (<see cref="Contracts.ExampleMask"/>) and their count; null when not kept.</summary>
    public string? Mask { get; init; }
    public int Examples { get; init; }
    /// <summary>Not a report: an operator promotes a trial that reported at this rung and waits there (held or stopped).</summary>
    public bool ByOperator { get; init; }
}

public enum AshaAction
{
    /// <summary>Train on to the next rung.</summary>
    Promote,
    /// <summary>
    /// Outside the top floor(n/eta) of its rung. Classic ASHA (no stop significance, or no per-image probe results to
    /// test with): paused, checkpoint kept, it may be promoted later. With a paired test (<see cref="AshaDecision.Test"/>):
    /// worse than the leader beyond paired noise, so it is never promoted (checkpoint still kept).
    /// </summary>
    Stop,
    /// <summary>Outside the top, but within paired noise of the leader: paused, checkpoint kept, still eligible for promotion.</summary>
    Hold,
    /// <summary>Paused: the rung has fewer than eta reports, so nobody is promoted yet. May be promoted later.</summary>
    Wait,
    /// <summary>The trial reached the last rung (maximum epochs): finished.</summary>
    Complete,
}

/// <summary>
/// Why a trial was promoted, stopped or paused, with the numbers an operator needs to check it: its score and rank at
/// the rung, how many trials had reported there, how many places the rung promotes, and the score it had to reach.
/// </summary>
public sealed record AshaDecision(
    int Trial, AshaAction Action, int Rung, int RungEpochs, double Score, int Rank, int TrialsAtRung,
    int PromotionSlots, double? CutOff, int? TriggeredBy = null, bool EndOfBudget = false)
{
    /// <summary>The paired test behind a stop or a hold (against the rung's leader), when one was made.</summary>
    public PairedTest? Test { get; init; }
    /// <summary>The rung's synchronous cohort size, when rungs are cohorts (see <see cref="AshaPolicy.Cohorts"/>).</summary>
    public int? Cohort { get; init; }
    /// <summary>Promoted by an operator (`stablesnn promote`), whatever the rung had decided.</summary>
    public bool ByOperator { get; init; }
    /// <summary>The trial's Hyperband bracket (see <see cref="AshaSettings.Brackets"/>) and the first rung of that bracket; null with one bracket.</summary>
    public int? Bracket { get; init; }

    public string Explain()
    {
        string score = F(Score), rung = $"rung {Rung} ({RungEpochs} epoch{(RungEpochs == 1 ? "" : "s")}{(Bracket is { } b ? $", bracket {b}" : "")})";
        string standing = $"score {score} ranks {Rank} of {TrialsAtRung}";
        return Action switch
        {
            AshaAction.Complete => $"completed at {rung} with score {score}",
            AshaAction.Wait when Cohort is { } size =>
                $"waiting at {rung} for its cohort: {TrialsAtRung} of {size} trials reported; the rung decides for all of them once all have (so arrival order does not matter)",
            AshaAction.Wait => $"paused at {rung}: {standing}; {TrialsAtRung} trial(s) reported, fewer than eta, so none is promoted yet",
            AshaAction.Stop when Test is { } t =>
                $"stopped at {rung}: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}; worse than the leader beyond paired noise ({t.Explain()}), so never promoted",
            AshaAction.Stop => $"stopped at {rung}: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
            AshaAction.Hold => $"held at {rung}: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}; " +
                $"within paired noise of the leader ({Test?.Explain()}), so it stays eligible for promotion",
            _ when ByOperator =>
                $"promoted from {rung} by an operator (stablesnn promote): {standing}" + (Test is { LeaderBetter: true } t
                    ? $"; the rung had stopped it ({t.Explain()})" : "; the rung had not promoted it"),
            _ when EndOfBudget =>
                $"promoted from {rung} at the end of the budget: no trial had reached the last rung, and it is the best waiting there ({standing})",
            _ when Cohort is { } size =>
                $"promoted from {rung} when its cohort of {size} was complete: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
            _ when TriggeredBy is { } by =>
                $"promoted from {rung} when {Model.TrialLabel.Of(by)} reported: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
            _ => $"promoted from {rung}: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
        };

        static string F(double? v) => v?.ToString("0.####", CultureInfo.InvariantCulture) ?? "none";
    }
}

/// <summary>
/// An exact McNemar test of a trial against its rung's leader on the probe's images: images robust for the leader only,
/// for the trial only, the two-sided p-value, and the significance it was judged at.
/// </summary>
public sealed record PairedTest(int Leader, int OnlyLeader, int OnlyTrial, double P, double Significance)
{
    public bool LeaderBetter => OnlyLeader > OnlyTrial && P < Significance;

    public string Explain() =>
        $"{OnlyLeader} probe images robust for the leader {Model.TrialLabel.Of(Leader)} only, {OnlyTrial} for this trial only, " +
        $"McNemar p = {P.ToString(P < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture)} {(P < Significance ? "<" : ">=")} {Significance.ToString("0.###", CultureInfo.InvariantCulture)}";
}

/// <summary>What one report changed: the new state, the reporter's decision, and earlier trials it lets through.</summary>
public sealed record AshaStep(AshaState State, AshaDecision Decision, IReadOnlyList<AshaDecision> LatePromotions);

/// <summary>
/// The reports so far, per rung, and which trials each rung promoted. Immutable: <see cref="Apply"/> returns a new
/// state, so a grain can keep the last state in memory and rebuild it from its stored reports after a restart.
/// </summary>
public sealed class AshaState
{
    private readonly AshaPolicy _policy;
    private readonly ImmutableArray<Rung> _rungs;

    internal AshaState(AshaPolicy policy, ImmutableArray<Rung> rungs)
    {
        _policy = policy;
        _rungs = rungs.IsDefaultOrEmpty ? [.. policy.RungEpochs.Select(_ => Rung.Empty)] : rungs;
    }

    /// <summary>
    /// The best trial waiting at the highest rung that has reports, when no trial reached the last rung: what the search
    /// promotes once its budget is spent and nothing runs, so that it ends with a result. Null when a trial completed.
    /// </summary>
    public int? EndOfBudgetCandidate(Func<int, bool> waiting)
    {
        if (_rungs[^1].Count > 0) return null;
        for (int k = _rungs.Length - 2; k >= 0; k--)
            if (_rungs[k].Count > 0)
                return _rungs[k].Ranked.Select(t => (int?)t.Trial)
                    .FirstOrDefault(t => !_rungs[k].Promoted.Contains(t!.Value) && !_rungs[k].IsStopped(t.Value) && waiting(t.Value));
        return null;
    }

    /// <summary>Stopped at <paramref name="rung"/> by a paired test: never promoted from it.</summary>
    public bool IsStoppedByTest(int trial, int rung) => _rungs[rung].IsStopped(trial);

    /// <summary>Trials that reported at <paramref name="rung"/> with their scores, best first.</summary>
    public IReadOnlyList<(int Trial, double Score)> Standing(int rung) => _rungs[rung].Ranked;

    public bool IsPromoted(int trial, int rung) => _rungs[rung].Promoted.Contains(trial);

    public AshaStep Apply(RungReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfNegative(report.Rung);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(report.Rung, _rungs.Length);
        int k = report.Rung;
        if (report.ByOperator)
        {
            if (k == _rungs.Length - 1 || !_rungs[k].Scores.ContainsKey(report.Trial) || _rungs[k].Promoted.Contains(report.Trial))
                throw new InvalidOperationException($"trial {report.Trial} is not waiting at rung {k}: only a trial that reported there and was not promoted can be");
            var promoted = _rungs[k].Promote([report.Trial]);
            _rungs[k].Tests.TryGetValue(report.Trial, out var stoppedBy);
            return new AshaStep(new AshaState(_policy, _rungs.SetItem(k, promoted)),
                Describe(promoted, k, report.Trial, null) with { ByOperator = true, Test = stoppedBy }, []);
        }
        if (report.EndOfBudget)
        {
            if (k == _rungs.Length - 1 || !_rungs[k].Scores.ContainsKey(report.Trial))
                throw new InvalidOperationException($"trial {report.Trial} cannot be promoted from rung {k} at the end of the budget");
            var promoted = _rungs[k].Promote([report.Trial]);
            return new AshaStep(new AshaState(_policy, _rungs.SetItem(k, promoted)),
                Describe(promoted, k, report.Trial, null) with { EndOfBudget = true }, []);
        }
        if (k > 0 && !_rungs[k - 1].Promoted.Contains(report.Trial))
            throw new InvalidOperationException($"trial {report.Trial} reported at rung {k} without being promoted from rung {k - 1}");

        // A repeated report (a node re-sending after a restart) changes nothing; the first score stands.
        if (_rungs[k].Scores.ContainsKey(report.Trial))
            return new AshaStep(this, Describe(_rungs[k], k, report.Trial, null), []);

        var rung = _rungs[k].With(report.Trial, report.Score, report.Mask is { } m && report.Examples > 0 ? ExampleMask.Unpack(m, report.Examples) : null);
        if (k == _rungs.Length - 1)
            return new AshaStep(new AshaState(_policy, _rungs.SetItem(k, rung)), Describe(rung, k, report.Trial, null), []);
        if (_policy.Cohorts is { } cohorts && rung.Count <= cohorts[k])
            return Cohort(rung, k, report.Trial, cohorts[k]);

        // Everyone in the top floor(n/eta) not yet promoted goes on: the reporter, and at most one earlier trial that
        // the growing n let in (a weak report raises floor(n/eta) without taking a top place). A trial a paired test
        // stopped keeps its rank (the top stays the top 1/eta) but is not promoted from it.
        int slots = rung.Count / _policy.Eta;
        var promote = rung.Ranked.Take(slots).Where(t => !double.IsNaN(t.Score)).Select(t => t.Trial)
            .Where(t => !rung.Promoted.Contains(t) && !rung.IsStopped(t)).ToList();
        rung = rung.Promote(promote);
        // The reporter, outside the top: tested against the leader on the same probe images, at the time it reports
        // (a later, stronger leader does not reopen the decision; that keeps each decision explainable by its report).
        // Kept whatever it says: worse beyond noise stops it for good, otherwise it explains the hold.
        if (slots > 0 && !rung.Promoted.Contains(report.Trial) && _policy.StopSignificance is { } significance
            && TestAgainstLeader(rung, report.Trial, significance) is { } test)
            rung = rung with { Tests = rung.Tests.Add(report.Trial, test) };
        var state = new AshaState(_policy, _rungs.SetItem(k, rung));
        var late = promote.Where(t => t != report.Trial).Select(t => Describe(rung, k, t, report.Trial)).ToList();
        return new AshaStep(state, Describe(rung, k, report.Trial, null), late);
    }

    /// <summary>
    /// A cohort rung: everyone waits until the last of its <paramref name="size"/> trials reports, then the top
    /// max(1, floor(size/eta)) are promoted and every other trial is tested against the leader (stop or hold). Every
    /// input to that is the set of scores and masks, so any arrival order gives the same decisions.
    /// </summary>
    private AshaStep Cohort(Rung rung, int k, int reporter, int size)
    {
        if (rung.Count < size)
            return new AshaStep(new AshaState(_policy, _rungs.SetItem(k, rung)), Describe(rung, k, reporter, null), []);
        int slots = Math.Max(1, size / _policy.Eta);
        // A failed trial (NaN) is never promoted, even from a cohort of one or one where every trial failed.
        var promote = rung.Ranked.Take(slots).Where(t => !double.IsNaN(t.Score)).Select(t => t.Trial).ToList();
        rung = rung.Promote(promote);
        if (_policy.StopSignificance is { } significance)
            foreach (var (trial, _) in rung.Ranked.Skip(slots))
                if (TestAgainstLeader(rung, trial, significance) is { } test)
                    rung = rung with { Tests = rung.Tests.Add(trial, test) };
        var state = new AshaState(_policy, _rungs.SetItem(k, rung));
        var others = rung.Ranked.Select(t => t.Trial).Where(t => t != reporter).Select(t => Describe(rung, k, t, reporter)).ToList();
        return new AshaStep(state, Describe(rung, k, reporter, null), others);
    }

    private AshaDecision Describe(Rung rung, int k, int trial, int? triggeredBy)
    {
        var cohort = k < _rungs.Length - 1 ? _policy.Cohorts?[k] : null;
        if (cohort is { } size && rung.Count <= size) return DescribeCohort(rung, k, trial, triggeredBy, size);
        int slots = rung.Count / _policy.Eta;
        int rank = rung.Ranked.FindIndex(t => t.Trial == trial) + 1;
        double? cutOff = slots > 0 ? rung.Ranked[slots - 1].Score : null;
        AshaAction action;
        PairedTest? test = null;
        if (k == _rungs.Length - 1) action = AshaAction.Complete;
        else if (rung.Promoted.Contains(trial)) action = AshaAction.Promote;
        else if (slots == 0) action = AshaAction.Wait;
        else if (rung.Tests.TryGetValue(trial, out test)) action = test.LeaderBetter ? AshaAction.Stop : AshaAction.Hold;
        // No test (no stop significance, or no per-image probe results: older trainers, stored searches): classic ASHA's pause.
        else action = AshaAction.Stop;
        return new AshaDecision(trial, action, k, _policy.RungEpochs[k], rung.Scores[trial], rank, rung.Count, slots, cutOff, triggeredBy) { Test = test };
    }

    private AshaDecision DescribeCohort(Rung rung, int k, int trial, int? triggeredBy, int size)
    {
        int slots = Math.Max(1, size / _policy.Eta);
        int rank = rung.Ranked.FindIndex(t => t.Trial == trial) + 1;
        bool closed = rung.Count == size;
        double? cutOff = closed ? rung.Ranked[Math.Min(slots, rung.Count) - 1].Score : null;
        PairedTest? test = null;
        var action = !closed ? AshaAction.Wait
            : rung.Promoted.Contains(trial) ? AshaAction.Promote
            : rung.Tests.TryGetValue(trial, out test) ? test.LeaderBetter ? AshaAction.Stop : AshaAction.Hold
            : AshaAction.Stop;
        return new AshaDecision(trial, action, k, _policy.RungEpochs[k], rung.Scores[trial], rank, rung.Count, slots, cutOff, triggeredBy)
        {
            Test = test, Cohort = size,
        };
    }

    /// <summary>McNemar of <paramref name="trial"/> against the best-ranked other trial at the rung on the images both scored; null without both masks.</summary>
    private static PairedTest? TestAgainstLeader(Rung rung, int trial, double significance)
    {
        var leader = rung.Ranked.FirstOrDefault(t => t.Trial != trial);
        if (leader == default || !rung.Masks.TryGetValue(trial, out var mine) || !rung.Masks.TryGetValue(leader.Trial, out var theirs))
            return null;
        // Masks are prefixes of one image order (a time-capped probe scores fewer): pair them on the images both scored.
        int common = Math.Min(mine.Length, theirs.Length);
        if (common == 0) return null;
        var (onlyLeader, onlyTrial) = ExampleMask.Discordant(theirs[..common], mine[..common]);
        return new PairedTest(leader.Trial, onlyLeader, onlyTrial, Accuracy.McNemarExact(onlyLeader, onlyTrial), significance);
    }

    internal sealed record Rung(ImmutableDictionary<int, double> Scores, ImmutableList<(int Trial, double Score)> Ranked,
        ImmutableHashSet<int> Promoted, ImmutableDictionary<int, bool[]> Masks, ImmutableDictionary<int, PairedTest> Tests)
    {
        public static readonly Rung Empty = new(ImmutableDictionary<int, double>.Empty, [], [], ImmutableDictionary<int, bool[]>.Empty,
            ImmutableDictionary<int, PairedTest>.Empty);

        public int Count => Scores.Count;

        /// <summary>Stopped for good: its paired test found it worse than the leader.</summary>
        public bool IsStopped(int trial) => Tests.TryGetValue(trial, out var t) && t.LeaderBetter;

        /// <summary>Best first; NaN (a diverged probe) last; equal scores by trial number, so ties never depend on arrival.</summary>
        public Rung With(int trial, double score, bool[]? mask)
        {
            var entry = (trial, score);
            int at = 0;
            while (at < Ranked.Count && Before(Ranked[at], entry)) at++;
            return this with
            {
                Scores = Scores.Add(trial, score), Ranked = Ranked.Insert(at, entry),
                Masks = mask is null ? Masks : Masks.Add(trial, mask),
            };
        }

        public Rung Promote(IEnumerable<int> trials) => this with { Promoted = Promoted.Union(trials) };

        private static bool Before((int Trial, double Score) a, (int Trial, double Score) b)
        {
            double sa = double.IsNaN(a.Score) ? double.NegativeInfinity : a.Score;
            double sb = double.IsNaN(b.Score) ? double.NegativeInfinity : b.Score;
            return sa > sb || (sa == sb && a.Trial < b.Trial);
        }
    }
}
