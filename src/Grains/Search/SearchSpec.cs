using System.Globalization;

namespace StableSnn.Grains.Search;

/// <summary>
/// The <c>search:</c> section of a sweep spec (issue 14): what to maximise, over which space, how, and for how long.
/// Part of <see cref="Model.SweepSpec"/>; the trials it proposes run in the sweep like grid points.
/// </summary>
[GenerateSerializer, Alias("StableSnn.SearchSpec")]
public sealed record SearchSpec
{
    public static readonly IReadOnlyList<string> Algorithms = ["grid", "random", "tpe", "asha"];
    /// <summary>The hyper-parameters a trial can take from the search (spelled as in the spec file).</summary>
    public static readonly IReadOnlyList<string> Searchable = ["alpha", "learningRate", "timeSteps"];
    /// <summary>Trials active at once when the sweep sets no maxConcurrency: model-based proposals learn from finished trials, so fewer in flight propose better.</summary>
    public const int DefaultParallelTrials = 4;

    [Id(0)] public SearchObjective Objective { get; init; } = new();
    [Id(1)] public SearchSpace Space { get; init; } = new(SearchDimension.LogUniform("alpha", 1e-3, 10, zeroProbability: 0.1));
    /// <summary>grid (the sweep's own axes), random, tpe, or asha (random proposals stopped early by <see cref="Asha"/>).</summary>
    [Id(2)] public string Algorithm { get; init; } = "tpe";
    [Id(3)] public AshaSettings Asha { get; init; } = new();
    [Id(4)] public SearchBudget Budget { get; init; } = new();
    /// <summary>Seeds every proposal: the same spec proposes the same points.</summary>
    [Id(5)] public int Seed { get; init; }
    /// <summary>Trials proposed by the space-filling <see cref="StartDesign"/> before random draws or TPE's model; null for <see cref="StartTrialCount"/>'s default.</summary>
    [Id(6)] public int? StartTrials { get; init; }

    /// <summary>
    /// The start's length. By default TPE's is its model's warm-up (<see cref="TpeSettings.MinFinished"/>): those
    /// trials were prior draws before, and a longer start would only delay the model. Random and ASHA have no model to
    /// wait for, so the whole budget is the design, up to <see cref="DefaultStartCap"/> trials. Either is cut to
    /// budget.experiments; a budget without one (trainer-epochs, slot-hours) may end the design early, which still
    /// leaves its trials in distinct strata: no worse than random draws.
    /// </summary>
    public int StartTrialCount => StartTrials ?? Math.Min(
        Algorithm == "tpe" ? new TpeSettings().MinFinished : DefaultStartCap, Budget?.Experiments ?? int.MaxValue);

    /// <summary>
    /// The default start of random and ASHA searches stops here: 20 random draws miss a given tenth of a range about
    /// one time in eight (0.9^20), and fewer the more they are; past it zeroProbability keeps its meaning (the design
    /// proposes 0 once).
    /// </summary>
    public const int DefaultStartCap = 20;
    /// <summary>A bound on a given start (the design holds a permutation of this length per dimension).</summary>
    public const int MaxStartTrials = 1000;

    /// <summary>
    /// The trials of an ASHA search whose rungs are synchronous cohorts (the plan's trial count), or null when rungs are
    /// asynchronous: another algorithm, cohorts async or unset, auto above <see cref="AshaSettings.CohortLimit"/> trials,
    /// or a plan whose trial count is unknown (a slot-hours budget without costs).
    /// </summary>
    public int? CohortTrials(int epochs)
    {
        if (Algorithm != "asha" || Asha?.Cohorts is not (AshaSettings.Auto or AshaSettings.Sync)) return null;
        var trials = SearchPlanner.Plan(this, epochs).Trials;
        if (trials <= 0 || (Asha.Cohorts == AshaSettings.Auto && trials > AshaSettings.CohortLimit)) return null;
        return trials;
    }

    /// <summary>Every problem at once, each starting with its field as spelled in the spec file.</summary>
    public IReadOnlyList<string> Validate(int epochs)
    {
        var errors = new List<string>();
        if (!Algorithms.Contains(Algorithm, StringComparer.Ordinal))
            errors.Add($"search.algorithm: '{Algorithm}' is not known; use one of {string.Join(", ", Algorithms)}");
        errors.AddRange((Objective ?? new()).Validate());
        if (Space is null) errors.Add("search.space: is missing; give at least alpha");
        else if (Algorithm != "grid")
        {
            errors.AddRange(Space.Validate());
            if (Space.IndexOf("alpha") < 0) errors.Add("search.space.alpha: is missing; the search is over the regularisation weight");
            foreach (var d in Space.Dimensions.Where(d => !Searchable.Contains(d.Name, StringComparer.Ordinal)))
                errors.Add($"search.space.{d.Name}: cannot be searched; use {string.Join(", ", Searchable)}");
            if (Space.Dimensions.FirstOrDefault(d => d.Name == "timeSteps") is { Kind: not DimensionKind.Choice })
                errors.Add("search.space.timeSteps: time steps are whole numbers; give them as choices: [4, 6, 8]");
        }
        if (Algorithm == "asha") errors.AddRange((Asha ?? new()).Validate(epochs));
        if (Algorithm == "asha" && Asha?.Cohorts == AshaSettings.Sync && Asha.Validate(epochs).Count == 0 && Budget is not null && Budget.Validate().Count == 0
            && SearchPlanner.Plan(this, epochs).Trials <= 0)
            errors.Add("search.asha.cohorts: sync needs a plan that fixes the number of trials; give budget.experiments or budget.trainerEpochs (a slot-hours budget alone is not planned)");
        if (Algorithm != "grid") errors.AddRange((Budget ?? new()).Validate());
        if (Seed < 0) errors.Add($"search.seed: {Seed} is negative; use a seed >= 0");
        if (StartTrials is { } start) errors.AddRange(ValidateStart(start));
        return errors;
    }

    IEnumerable<string> ValidateStart(int start)
    {
        if (Algorithm == "grid")
            yield return "search.startTrials: a grid search runs the sweep's own axes and proposes no trials; remove startTrials, or use random, tpe or asha";
        else if (start < 0)
            yield return $"search.startTrials: {start} is negative; use 0 for no space-filling start, or omit it for the default";
        else if (Budget?.Experiments is { } n && n > 0 && start > n)
            yield return $"search.startTrials: {start} is more than search.budget.experiments ({n}), so part of the start would never run and " +
                         $"its strata would stay untried; use at most {n}, or omit it for the default";
        else if (start > MaxStartTrials)
            yield return $"search.startTrials: {start} is more than {MaxStartTrials}; past a few tens of trials random draws cover the space " +
                         "as well, so use fewer, or omit it for the default";
    }

    /// <summary>The proposer for a valid spec; grid searches have none (their points are the sweep's grid).</summary>
    public IProposer CreateProposer() => Algorithm switch
    {
        "random" or "asha" => new RandomProposer(Space, Seed, StartTrialCount),
        "tpe" => new TpeProposer(Space, Seed, StartTrialCount),
        _ => throw new InvalidOperationException($"search.algorithm '{Algorithm}' proposes no points"),
    };

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// Maximise the worst-case robust accuracy of the reliable suite (or PGD's, when the suite has no worst case) at an
/// epsilon, optionally only among trials whose clean accuracy reaches a floor; or report the clean/robust Pareto front.
/// </summary>
[GenerateSerializer, Alias("StableSnn.SearchObjective")]
public sealed record SearchObjective
{
    public static readonly IReadOnlyList<string> Measures = ["worst-case", "pgd"];

    [Id(0)] public string Measure { get; init; } = "worst-case";
    /// <summary>In units of 1/255, as the results table prints epsilons.</summary>
    [Id(1)] public double Epsilon255 { get; init; } = 8;
    /// <summary>Trials below this clean accuracy (0..1) count as failing the objective; null for no floor.</summary>
    [Id(2)] public double? CleanFloor { get; init; }
    /// <summary>Also keep and report the Pareto front of clean against robust accuracy.</summary>
    [Id(3)] public bool Pareto { get; init; }

    /// <summary>
    /// A completed trial's objective: its robust accuracy at <see cref="Epsilon255"/> by <see cref="Measure"/> (PGD's
    /// when the suite has no worst case there), on the same images as its clean accuracy; null when the suite ran
    /// nothing at that epsilon.
    /// </summary>
    public ObjectiveValue? Of(Model.ExperimentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        bool AtEpsilon(Model.AttackAccuracy a) => Math.Abs(a.Epsilon * 255 - Epsilon255) < 0.01;
        var chosen = Measure == "worst-case" ? outcome.WorstCases.FirstOrDefault(AtEpsilon) : null;
        chosen ??= outcome.Attacks.Where(a => !a.Sanity && AtEpsilon(a) && a.Attack.StartsWith("PGD", StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => a.Accuracy).FirstOrDefault();
        if (chosen is null) return null;
        bool doubted = outcome.MaskingFlags.Length > 0 || chosen.Unreliable;
        return new ObjectiveValue(chosen.Accuracy, chosen.Attack, outcome.CleanAccuracy, Feasible(outcome.CleanAccuracy), doubted)
        {
            Examples = chosen.Examples, Mask = chosen.Mask,
        };
    }

    /// <summary>A rung's score: the probe's robust accuracy, one lower (below every feasible trial) under the clean floor.</summary>
    public double RungScore(Model.RungMeasurement rung) => Score(rung.ProbeRobustAccuracy, Feasible(rung.ValidationAccuracy));

    /// <summary>What ranks trials: the robust accuracy, one lower under the clean floor, so any feasible trial beats every infeasible one.</summary>
    public static double Score(double robust, bool feasible) => feasible ? robust : robust - 1;

    bool Feasible(double clean) => CleanFloor is not { } floor || clean >= floor;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Measures.Contains(Measure, StringComparer.Ordinal))
            errors.Add($"search.objective.measure: '{Measure}' is not known; use one of {string.Join(", ", Measures)}");
        if (!(double.IsFinite(Epsilon255) && Epsilon255 > 0 && Epsilon255 <= 255))
            errors.Add($"search.objective.epsilon: {SearchSpec.Format(Epsilon255)} must be in (0, 255] (units of 1/255)");
        if (CleanFloor is { } floor && !(floor is >= 0 and <= 1))
            errors.Add($"search.objective.cleanFloor: {SearchSpec.Format(floor)} must be an accuracy in [0, 1], or omitted for none");
        return errors;
    }
}

/// <summary>Rungs at minEpochs * eta^k (see <see cref="AshaPolicy"/>).</summary>
[GenerateSerializer, Alias("StableSnn.AshaSettings")]
public sealed record AshaSettings
{
    [Id(0)] public int MinEpochs { get; init; } = 1;
    [Id(1)] public int Eta { get; init; } = 3;
    /// <summary>The rung probe: PGD steps and validation images (see <see cref="Contracts.RungProbe"/>).</summary>
    [Id(2)] public int ProbeSteps { get; init; } = Contracts.RungProbe.DefaultSteps;
    [Id(3)] public int ProbeExamples { get; init; } = Contracts.RungProbe.DefaultExamples;
    /// <summary>Square's queries on the images PGD left correct (gradient-free, so masking cannot inflate a rung score); 0 for PGD alone.</summary>
    [Id(4)] public int ProbeSquareQueries { get; init; } = Contracts.RungProbe.DefaultSquareQueries;
    /// <summary>
    /// A trial outside a rung's top is stopped for good only when an exact McNemar test on the probe's images says it is
    /// worse than the rung's leader at this level; otherwise it is held, still eligible (see <see cref="AshaPolicy"/>).
    /// 0.05 by default: at 200 probe images one standard error is about 3 points, and rung scores spread over 2.
    /// </summary>
    [Id(5)] public double StopSignificance { get; init; } = 0.05;
    /// <summary>
    /// How rungs decide: "sync" (each rung is a cohort, the trials the plan sends there, decided together once all have
    /// reported, so decisions do not depend on arrival order), "async" (classic ASHA: each report decides at once, against
    /// the reports so far), or "auto" (sync when the plan has at most <see cref="CohortLimit"/> trials). Spec files
    /// default to auto; null (searches stored before cohorts existed, specs built in code) is async.
    /// </summary>
    [Id(6)] public string? Cohorts { get; init; }
    /// <summary>
    /// Hyperband's hedge (Li et al. 2018): trials go round robin (by trial number) to this many brackets, bracket b
    /// starting at rung b, so the last of as many brackets as rungs trains every one of its trials to the end and never
    /// stops early. 1 (the default) is plain ASHA. Round robin rather than Hyperband's budget-equalising counts: those
    /// need dozens of trials, and a small search still gets trials into every bracket.
    /// </summary>
    [Id(7)] public int Brackets { get; init; } = 1;
    /// <summary>
    /// The probe stops adding images once it has spent this share of the epoch it judges (at least one batch of
    /// <see cref="Contracts.RungProbe.MinExamples"/>), so ranking never costs more than half the training it ranks;
    /// 0 scores all probeExamples whatever it costs.
    /// </summary>
    [Id(8)] public double ProbeEpochFraction { get; init; } = DefaultProbeEpochFraction;

    public const double DefaultProbeEpochFraction = 0.5;

    public const string Auto = "auto", Sync = "sync", Async = "async";
    /// <summary>Up to this many trials, auto means synchronous cohorts: a straggler idles a slot for at most a rung of a small search.</summary>
    public const int CohortLimit = 20;

    /// <summary>The probe a trial runs at each rung: these settings at the objective's epsilon.</summary>
    public Contracts.RungProbe Probe(double epsilon255) => new()
    {
        Epsilon = epsilon255 / 255.0, Steps = ProbeSteps, Examples = ProbeExamples, SquareQueries = ProbeSquareQueries,
        EpochFraction = ProbeEpochFraction > 0 ? ProbeEpochFraction : null,
    };

    public IReadOnlyList<string> Validate(int epochs)
    {
        var errors = new List<string>();
        if (MinEpochs < 1) errors.Add($"search.asha.minEpochs: {MinEpochs} must be at least 1");
        else if (MinEpochs >= epochs)
            errors.Add($"search.asha.minEpochs: {MinEpochs} must be below epochs ({epochs}), or there is no rung to stop at");
        if (Eta < 2) errors.Add($"search.asha.eta: {Eta} must be at least 2 (each rung keeps 1/eta)");
        if (Brackets < 1) errors.Add($"search.asha.brackets: {Brackets} must be at least 1 (1 is plain ASHA)");
        else if (Brackets > 1 && MinEpochs >= 1 && MinEpochs < epochs && Eta >= 2 && Policy(epochs).RungEpochs is var rungs && Brackets > rungs.Count)
            errors.Add($"search.asha.brackets: {Brackets} is more than the {rungs.Count} rungs ({string.Join(", ", rungs)} epochs); bracket b starts " +
                $"at rung b, so use at most {rungs.Count} (the last then trains every trial it gets to the end)");
        if (!(ProbeEpochFraction is >= 0 and <= 1))
            errors.Add($"search.asha.probeEpochFraction: {SearchSpec.Format(ProbeEpochFraction)} must be in [0, 1] (a share of an epoch's seconds; 0 for no cap)");
        if (Cohorts is not (null or Auto or Sync or Async))
            errors.Add($"search.asha.cohorts: '{Cohorts}' is not known; use auto, sync or async");
        if (!(StopSignificance is > 0 and < 1))
            errors.Add($"search.asha.stopSignificance: {SearchSpec.Format(StopSignificance)} must be a p-value threshold in (0, 1), e.g. 0.05");
        // The probe's own rules, under this section's names (probeSteps); the epsilon is the objective's, checked there.
        foreach (var (field, problem) in Probe(8).Problems())
            errors.Add($"search.asha.probe{char.ToUpperInvariant(field[0])}{field[1..]}: {problem}");
        return errors;
    }

    /// <summary>
    /// The policy of one bracket (all the rungs: plain ASHA); with <paramref name="cohortTrials"/> (see
    /// <see cref="SearchSpec.CohortTrials"/>) its rungs are cohorts of the plan's funnel.
    /// </summary>
    public AshaPolicy Policy(int epochs, int? cohortTrials = null) => BracketPolicy(MinEpochs, epochs, cohortTrials);

    /// <summary>
    /// Each bracket's policy (see <see cref="Brackets"/>): bracket b's rungs are the search's from rung b on, and its
    /// cohorts (when <paramref name="cohortTrials"/> is set) are the funnel of the trials round robin sends it.
    /// </summary>
    public IReadOnlyList<AshaPolicy> BracketPolicies(int epochs, int? cohortTrials = null)
    {
        var rungs = Policy(epochs).RungEpochs;
        int count = Math.Clamp(Brackets, 1, rungs.Count);
        return [.. Enumerable.Range(0, count).Select(b => BracketPolicy(rungs[b], epochs, cohortTrials is { } n ? BracketTrials(n, count, b) : null))];
    }

    /// <summary>Of <paramref name="trials"/> numbered from 0, those round robin sends to bracket <paramref name="bracket"/> of <paramref name="brackets"/>.</summary>
    public static int BracketTrials(int trials, int brackets, int bracket) => Math.Max(0, (trials - bracket + brackets - 1) / brackets);

    AshaPolicy BracketPolicy(int minEpochs, int epochs, int? cohortTrials)
    {
        var asynchronous = new AshaPolicy(minEpochs, Eta, epochs, StopSignificance);
        return cohortTrials is not ({ } n and > 0) ? asynchronous // a bracket round robin sends nothing has no cohort to wait for
            : new AshaPolicy(minEpochs, Eta, epochs, StopSignificance, SearchPlanner.Funnel(n, Eta, asynchronous.RungEpochs.Count));
    }
}

/// <summary>When the search ends: the first limit reached. At least one must be given.</summary>
[GenerateSerializer, Alias("StableSnn.SearchBudget")]
public sealed record SearchBudget
{
    [Id(0)] public int? Experiments { get; init; }
    [Id(1)] public long? TrainerEpochs { get; init; }
    [Id(2)] public double? SlotHours { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Experiments is null && TrainerEpochs is null && SlotHours is null)
            errors.Add("search.budget: is empty; give experiments, trainerEpochs or slotHours");
        if (Experiments is <= 0) errors.Add($"search.budget.experiments: {Experiments} must be positive");
        if (TrainerEpochs is <= 0) errors.Add($"search.budget.trainerEpochs: {TrainerEpochs} must be positive");
        if (SlotHours is { } hours && !(double.IsFinite(hours) && hours > 0))
            errors.Add($"search.budget.slotHours: {SearchSpec.Format(hours)} must be a finite number > 0");
        return errors;
    }
}

/// <summary>
/// A trial's objective. <see cref="Score"/> ranks trials: the robust accuracy, one lower when the clean accuracy is
/// under the floor (so any feasible trial beats every infeasible one). Doubted when the masking checks fired.
/// </summary>
[GenerateSerializer, Alias("StableSnn.ObjectiveValue")]
public sealed record ObjectiveValue(
    [property: Id(0)] double Robust,
    [property: Id(1)] string Measure,
    [property: Id(2)] double Clean,
    [property: Id(3)] bool Feasible,
    [property: Id(4)] bool Doubted)
{
    public double Score => SearchObjective.Score(Robust, Feasible);
    /// <summary>Images the robust accuracy was measured on (the same for every trial: the spec's attack subset).</summary>
    [Id(5)] public int Examples { get; init; }
    /// <summary>Per-image robust correctness (<see cref="Contracts.ExampleMask"/>): the best is tested against the runner-up on it.</summary>
    [Id(6)] public string? Mask { get; init; }
}
