using System.Collections.Immutable;
using System.Globalization;

namespace StableSnn.Grains.Search;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020). Rungs sit at epochs r, r*eta, r*eta^2 ... below the
/// maximum, and at the maximum itself (where a trial is complete). A trial that reaches a rung reports a score; it
/// goes on to the next rung when it is among the best floor(n/eta) of the n trials that reported at that rung so far.
/// Nobody waits for a rung to fill: a trial outside the top is paused with its checkpoint and may still be promoted
/// later, when more (weaker) trials have reported and floor(n/eta) has grown.
/// </summary>
public sealed class AshaPolicy
{
    public int MinEpochs { get; }
    public int Eta { get; }
    public int MaxEpochs { get; }
    /// <summary>Epochs of each rung; the last is <see cref="MaxEpochs"/>.</summary>
    public IReadOnlyList<int> RungEpochs { get; }

    public AshaPolicy(int minEpochs, int eta, int maxEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);
        (MinEpochs, Eta, MaxEpochs) = (minEpochs, eta, maxEpochs);
        var rungs = new List<int>();
        for (long epochs = minEpochs; epochs < maxEpochs; epochs *= eta) rungs.Add((int)epochs);
        rungs.Add(maxEpochs);
        RungEpochs = rungs;
    }

    public AshaState Empty => new(this, []);
}

/// <summary>
/// Trial <see cref="Trial"/> reached rung <see cref="Rung"/> (index into <see cref="AshaPolicy.RungEpochs"/>) with a score (higher is
/// better). <see cref="EndOfBudget"/>: not a report but the search's last resort, promoting a trial that already reported
/// at that rung because the budget is spent and no trial reached the last rung (see <see cref="AshaState.Apply"/>).
/// </summary>
public sealed record RungReport(int Trial, int Rung, double Score, bool EndOfBudget = false);

public enum AshaAction
{
    /// <summary>Train on to the next rung.</summary>
    Promote,
    /// <summary>Paused: it is outside the top floor(n/eta) of its rung. Checkpoint kept; it may be promoted later.</summary>
    Stop,
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
    public string Explain()
    {
        string score = F(Score), rung = $"rung {Rung} ({RungEpochs} epoch{(RungEpochs == 1 ? "" : "s")})";
        string standing = $"score {score} ranks {Rank} of {TrialsAtRung}";
        return Action switch
        {
            AshaAction.Complete => $"completed at {rung} with score {score}",
            AshaAction.Wait => $"paused at {rung}: {standing}; {TrialsAtRung} trial(s) reported, fewer than eta, so none is promoted yet",
            AshaAction.Stop => $"stopped at {rung}: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
            _ when EndOfBudget =>
                $"promoted from {rung} at the end of the budget: no trial had reached the last rung, and it is the best waiting there ({standing})",
            _ when TriggeredBy is { } by =>
                $"promoted from {rung} when {Model.TrialLabel.Of(by)} reported: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
            _ => $"promoted from {rung}: {standing}; the top {PromotionSlots} go on, cut-off {F(CutOff)}",
        };

        static string F(double? v) => v?.ToString("0.####", CultureInfo.InvariantCulture) ?? "none";
    }
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
                return _rungs[k].Ranked.Select(t => (int?)t.Trial).FirstOrDefault(t => !_rungs[k].Promoted.Contains(t!.Value) && waiting(t.Value));
        return null;
    }

    /// <summary>Trials that reported at <paramref name="rung"/> with their scores, best first.</summary>
    public IReadOnlyList<(int Trial, double Score)> Standing(int rung) => _rungs[rung].Ranked;

    public bool IsPromoted(int trial, int rung) => _rungs[rung].Promoted.Contains(trial);

    public AshaStep Apply(RungReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfNegative(report.Rung);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(report.Rung, _rungs.Length);
        int k = report.Rung;
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

        var rung = _rungs[k].With(report.Trial, report.Score);
        if (k == _rungs.Length - 1)
            return new AshaStep(new AshaState(_policy, _rungs.SetItem(k, rung)), Describe(rung, k, report.Trial, null), []);

        // Everyone in the top floor(n/eta) not yet promoted goes on: the reporter, and at most one earlier trial that
        // the growing n let in (a weak report raises floor(n/eta) without taking a top place).
        int slots = rung.Count / _policy.Eta;
        var promote = rung.Ranked.Take(slots).Select(t => t.Trial).Where(t => !rung.Promoted.Contains(t)).ToList();
        rung = rung.Promote(promote);
        var state = new AshaState(_policy, _rungs.SetItem(k, rung));
        var late = promote.Where(t => t != report.Trial).Select(t => Describe(rung, k, t, report.Trial)).ToList();
        return new AshaStep(state, Describe(rung, k, report.Trial, null), late);
    }

    private AshaDecision Describe(Rung rung, int k, int trial, int? triggeredBy)
    {
        int slots = rung.Count / _policy.Eta;
        int rank = rung.Ranked.FindIndex(t => t.Trial == trial) + 1;
        double? cutOff = slots > 0 ? rung.Ranked[slots - 1].Score : null;
        var action = k == _rungs.Length - 1 ? AshaAction.Complete
            : rung.Promoted.Contains(trial) ? AshaAction.Promote
            : slots == 0 ? AshaAction.Wait
            : AshaAction.Stop;
        return new AshaDecision(trial, action, k, _policy.RungEpochs[k], rung.Scores[trial], rank, rung.Count, slots, cutOff, triggeredBy);
    }

    internal sealed record Rung(ImmutableDictionary<int, double> Scores, ImmutableList<(int Trial, double Score)> Ranked,
        ImmutableHashSet<int> Promoted)
    {
        public static readonly Rung Empty = new(ImmutableDictionary<int, double>.Empty, [], []);

        public int Count => Scores.Count;

        /// <summary>Best first; NaN (a diverged probe) last; equal scores by trial number, so ties never depend on arrival.</summary>
        public Rung With(int trial, double score)
        {
            var entry = (trial, score);
            int at = 0;
            while (at < Ranked.Count && Before(Ranked[at], entry)) at++;
            return this with { Scores = Scores.Add(trial, score), Ranked = Ranked.Insert(at, entry) };
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
