using System.Globalization;

namespace StableSnn.Grains.Search;

/// <summary>Seconds a plan prices its work with (measured, e.g. from a first rung or a bench); null parts stay unpriced.</summary>
public sealed record StepCosts(double? EpochSeconds = null, double? ProbeSeconds = null, double? FinalSeconds = null);

/// <summary>How many trials reach rung <see cref="Rung"/>, trained to <see cref="Epochs"/> epochs in all.</summary>
public sealed record PlannedRung(int Rung, int Epochs, int Trials);

/// <summary>
/// What a search's budget buys before anything runs: trials proposed, how many reach each rung and finish, and the
/// trainer-epochs, probes, final evaluations and (when costs are known) seconds that takes. ASHA is planned as its
/// rungs fill: floor(n / eta) of the n trials at a rung go on, and at least one (the engine promotes the best waiting
/// trial when the budget is spent and nothing finished). Random and TPE trials all train every epoch.
/// </summary>
public sealed record SearchPlan(
    string Algorithm, int Trials, IReadOnlyList<PlannedRung> Rungs, long TrainerEpochs, int Probes, int Finishing,
    double? Seconds, string LimitedBy, IReadOnlyList<string> Notes)
{
    /// <summary>Fewer finished trials than this and the search's best is one measurement with nothing to compare it with.</summary>
    public const int MinimumFinishing = 2;

    public bool Refused => Finishing < MinimumFinishing;

    public string Funnel => string.Join(" -> ", Rungs.Select(r => $"{r.Trials} at {r.Epochs} epoch{(r.Epochs == 1 ? "" : "s")}"));

    public IEnumerable<string> Describe()
    {
        yield return $"{Algorithm}: {Trials} trial{(Trials == 1 ? "" : "s")} ({LimitedBy}); {Funnel}; {Finishing} finish{(Finishing == 1 ? "es" : "")}";
        var cost = $"cost: {TrainerEpochs} trainer-epochs, {Probes} rung probe{(Probes == 1 ? "" : "s")}, {Finishing} final evaluation{(Finishing == 1 ? "" : "s")}";
        yield return Seconds is { } s ? $"{cost}, about {s / 3600:0.##} slot-hours" : $"{cost} (seconds not priced: give the measured costs)";
        foreach (var note in Notes) yield return note;
    }
}

/// <summary>Plans a search (see <see cref="SearchPlan"/>) and says why a plan that cannot work is refused and what would.</summary>
public static class SearchPlanner
{
    /// <summary>Where a budget given only in slot-hours, without costs, is planned up to (it cannot be priced).</summary>
    const int Unbounded = 100_000;

    public static SearchPlan Plan(SearchSpec search, int epochs, StepCosts? costs = null)
    {
        ArgumentNullException.ThrowIfNull(search);
        costs = WithProbeCap(search, costs ?? new StepCosts());
        var rungs = search.Algorithm == "asha" ? search.Asha.Policy(epochs).RungEpochs : [epochs];
        var eta = search.Algorithm == "asha" ? search.Asha.Eta : 1;
        var brackets = search.Algorithm == "asha" ? Math.Clamp(search.Asha.Brackets, 1, rungs.Count) : 1;
        var budget = search.Budget ?? new SearchBudget();
        var notes = new List<string>();
        Shape FunnelOf(int t) => Shape.Of(t, eta, rungs, brackets);

        int trials;
        string limitedBy;
        if (budget.Experiments is { } n) (trials, limitedBy) = (n, $"budget.experiments {n}");
        else (trials, limitedBy) = (Unbounded, "no experiment limit");
        if (budget.TrainerEpochs is { } e)
        {
            var fit = Largest(trials, t => FunnelOf(t).Epochs <= e);
            if (fit < trials) (trials, limitedBy) = (fit, $"budget.trainerEpochs {e}");
        }
        if (budget.SlotHours is { } h)
        {
            if (costs.EpochSeconds is null)
                notes.Add($"budget.slotHours {h.ToString("0.##", CultureInfo.InvariantCulture)} is not planned: seconds per epoch are unknown (measure a first rung or give them)");
            else
            {
                var fit = Largest(trials, t => FunnelOf(t).Price(costs) <= h * 3600);
                if (fit < trials) (trials, limitedBy) = (fit, $"budget.slotHours {h.ToString("0.##", CultureInfo.InvariantCulture)}");
            }
        }
        if (trials == Unbounded)
            return new SearchPlan(search.Algorithm, 0, [], 0, 0, 0, null, "nothing limits the trials that can be planned",
                [.. notes, "the plan is unknown until the seconds per epoch are: the search runs until its slot-hours are spent"]);

        var shape = FunnelOf(trials);
        var planned = rungs.Select((r, k) => new PlannedRung(k, r, shape.AtRung[k])).ToList();
        if (brackets > 1) notes.Add(shape.DescribeBrackets(rungs));
        var plan = new SearchPlan(search.Algorithm, trials, planned, shape.Epochs, shape.Probes, shape.Finishing,
            costs.EpochSeconds is null ? null : shape.Price(costs), limitedBy, notes);
        return plan.Refused ? plan with { Notes = [.. notes, Refusal(search, epochs, plan, costs)] } : plan;
    }

    /// <summary>The refusal message of a plan that finishes too few trials (field first, then why, then what would work); null when it may run.</summary>
    public static string? Refusal(SearchSpec search, int epochs, StepCosts? costs = null)
    {
        var plan = Plan(search, epochs, costs);
        return search.Algorithm != "grid" && plan.Refused && plan.Rungs.Count > 0 ? plan.Notes[^1] : null;
    }

    static string Refusal(SearchSpec search, int epochs, SearchPlan plan, StepCosts costs)
    {
        var field = search.Algorithm == "asha" ? "search.asha" : "search.budget";
        var why = $"{field}: this plan finishes {plan.Finishing} trial{(plan.Finishing == 1 ? "" : "s")} ({plan.Funnel}), so its best " +
                  $"would be one measurement with nothing to compare it with; a search must finish at least {SearchPlan.MinimumFinishing}.";
        var fixes = new List<string>();
        var budget = search.Budget ?? new SearchBudget();
        // More budget of the kind that limited it: the smallest multiple that finishes two.
        for (var factor = 2; factor <= 64; factor++)
        {
            var more = search with
            {
                Budget = budget with
                {
                    Experiments = budget.Experiments * factor, TrainerEpochs = budget.TrainerEpochs * factor, SlotHours = budget.SlotHours * factor,
                },
            };
            var p = Plan(more, epochs, costs);
            if (!p.Refused) { fixes.Add($"{factor}x the budget ({Budget(more.Budget)}: {p.Finishing} finish, {p.TrainerEpochs} trainer-epochs)"); break; }
        }
        if (search.Algorithm == "asha")
        {
            if (search.Asha.Eta > 2 && Plan(search with { Asha = search.Asha with { Eta = 2 } }, epochs, costs) is { Refused: false } eta2)
                fixes.Add($"eta: 2 ({eta2.Funnel}; {eta2.TrainerEpochs} trainer-epochs)");
            var rungCount = search.Asha.Policy(epochs).RungEpochs.Count;
            if (search.Asha.Brackets < rungCount && Plan(search with { Asha = search.Asha with { Brackets = rungCount } }, epochs, costs) is { Refused: false } hedged)
                fixes.Add($"brackets: {rungCount} ({hedged.Finishing} finish, {hedged.TrainerEpochs} trainer-epochs; the last bracket never stops early)");
            var later = search.Asha.MinEpochs * search.Asha.Eta;
            if (later < epochs && Plan(search with { Asha = search.Asha with { MinEpochs = later } }, epochs, costs) is { Refused: false } fewer)
                fixes.Add($"minEpochs: {later} ({fewer.Funnel}; {fewer.TrainerEpochs} trainer-epochs)");
        }
        return fixes.Count == 0 ? $"{why} Raise the budget." : $"{why} What would: {string.Join("; or ", fixes)}.";
    }

    static string Budget(SearchBudget b) => string.Join(", ", new[]
    {
        b.Experiments is { } n ? $"experiments {n}" : null,
        b.TrainerEpochs is { } e ? $"trainerEpochs {e}" : null,
        b.SlotHours is { } h ? $"slotHours {h.ToString("0.##", CultureInfo.InvariantCulture)}" : null,
    }.Where(s => s is not null));

    /// <summary>Trials at each of <paramref name="rungs"/> rungs: all at the first, then floor(n / eta) and at least one (eta 1: all).</summary>
    internal static int[] Funnel(int trials, int eta, int rungs)
    {
        var funnel = new int[rungs];
        funnel[0] = trials;
        for (var k = 1; k < rungs; k++)
            funnel[k] = funnel[k - 1] == 0 ? 0 : eta == 1 ? funnel[k - 1] : Math.Max(1, funnel[k - 1] / eta);
        return funnel;
    }

    /// <summary>
    /// What <c>trials</c> trials do over the search's rungs: each bracket's funnel (bracket b gets the trials round robin
    /// sends it and starts at rung b), trials per rung summed over brackets, and the work that is.
    /// </summary>
    sealed record Shape(int[][] Funnels, int[] AtRung, long Epochs, int Probes, int Finishing)
    {
        public static Shape Of(int trials, int eta, IReadOnlyList<int> rungs, int brackets)
        {
            var funnels = new int[brackets][];
            var at = new int[rungs.Count];
            long epochs = 0;
            int probes = 0, finishing = 0;
            for (var b = 0; b < brackets; b++)
            {
                var own = rungs.Skip(b).ToList();
                var f = funnels[b] = Funnel(AshaSettings.BracketTrials(trials, brackets, b), eta, own.Count);
                for (var k = 0; k < f.Length; k++) at[b + k] += f[k];
                epochs += TrainedEpochs(f, own);
                probes += f.Take(own.Count - 1).Sum();
                finishing += f[^1];
            }
            return new Shape(funnels, at, epochs, probes, finishing);
        }

        public double Price(StepCosts costs) =>
            Epochs * (costs.EpochSeconds ?? 0) + Probes * (costs.ProbeSeconds ?? 0) + Finishing * (costs.FinalSeconds ?? 0);

        public string DescribeBrackets(IReadOnlyList<int> rungs) =>
            $"brackets: {Funnels.Length}, trials round robin by number; " + string.Join("; ", Funnels.Select((f, b) =>
                f.Length == 1 ? $"bracket {b} trains its {f[0]} to {rungs[^1]} epochs (never stops early)"
                : $"bracket {b} from {rungs[b]} epoch{(rungs[b] == 1 ? "" : "s")}: {string.Join(" -> ", f)}"));

        /// <summary>Each trial trains to the highest rung it reaches (a promoted trial resumes from its checkpoint).</summary>
        static long TrainedEpochs(int[] funnel, IReadOnlyList<int> rungs)
        {
            long total = 0;
            for (var k = 0; k < rungs.Count; k++)
            {
                var stopHere = funnel[k] - (k + 1 < rungs.Count ? funnel[k + 1] : 0);
                total += (long)stopHere * rungs[k];
            }
            return total;
        }
    }

    /// <summary>Unmeasured probe seconds are at most the probe's share of an epoch (it stops there), when epochs are priced.</summary>
    static StepCosts WithProbeCap(SearchSpec search, StepCosts costs) =>
        costs.ProbeSeconds is null && costs.EpochSeconds is { } e && search.Algorithm == "asha" && search.Asha.ProbeEpochFraction > 0
            ? costs with { ProbeSeconds = search.Asha.ProbeEpochFraction * e }
            : costs;

    /// <summary>The largest trial count up to <paramref name="limit"/> that <paramref name="fits"/> (which grows with trials), or 0.</summary>
    static int Largest(int limit, Func<int, bool> fits)
    {
        int low = 0, high = limit;
        while (low < high)
        {
            var mid = low + (high - low + 1) / 2;
            if (fits(mid)) low = mid; else high = mid - 1;
        }
        return low;
    }
}
