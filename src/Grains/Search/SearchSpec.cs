using System.Globalization;

namespace StableSnn.Grains.Search;

/// <summary>
/// The <c>search:</c> section of a sweep spec (issue 14): what to maximise, over which space, how, and for how long.
/// Plain record, ready for YAML binding; not yet part of <see cref="Model.SweepSpec"/> nor Orleans-serialisable.
/// </summary>
public sealed record SearchSpec
{
    public static readonly IReadOnlyList<string> Algorithms = ["grid", "random", "tpe", "asha"];

    public SearchObjective Objective { get; init; } = new();
    public SearchSpace Space { get; init; } = new(SearchDimension.LogUniform("alpha", 1e-3, 10, zeroProbability: 0.1));
    /// <summary>grid (the sweep's own axes), random, tpe, or asha (random proposals stopped early by <see cref="Asha"/>).</summary>
    public string Algorithm { get; init; } = "tpe";
    public AshaSettings Asha { get; init; } = new();
    public SearchBudget Budget { get; init; } = new();
    /// <summary>Seeds every proposal: the same spec proposes the same points.</summary>
    public int Seed { get; init; }

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
        }
        if (Algorithm == "asha") errors.AddRange((Asha ?? new()).Validate(epochs));
        errors.AddRange((Budget ?? new()).Validate());
        if (Seed < 0) errors.Add($"search.seed: {Seed} is negative; use a seed >= 0");
        return errors;
    }

    /// <summary>The proposer for a valid spec; grid searches have none (their points are the sweep's grid).</summary>
    public IProposer CreateProposer() => Algorithm switch
    {
        "random" or "asha" => new RandomProposer(Space, Seed),
        "tpe" => new TpeProposer(Space, Seed),
        _ => throw new InvalidOperationException($"search.algorithm '{Algorithm}' proposes no points"),
    };

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// Maximise the worst-case robust accuracy of the reliable suite (or PGD's, when the suite has no worst case) at an
/// epsilon, optionally only among trials whose clean accuracy reaches a floor; or report the clean/robust Pareto front.
/// </summary>
public sealed record SearchObjective
{
    public static readonly IReadOnlyList<string> Measures = ["worst-case", "pgd"];

    public string Measure { get; init; } = "worst-case";
    /// <summary>In units of 1/255, as the results table prints epsilons.</summary>
    public double Epsilon255 { get; init; } = 8;
    /// <summary>Trials below this clean accuracy (0..1) count as failing the objective; null for no floor.</summary>
    public double? CleanFloor { get; init; }
    /// <summary>Also keep and report the Pareto front of clean against robust accuracy.</summary>
    public bool Pareto { get; init; }

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
public sealed record AshaSettings
{
    public int MinEpochs { get; init; } = 1;
    public int Eta { get; init; } = 3;

    public IReadOnlyList<string> Validate(int epochs)
    {
        var errors = new List<string>();
        if (MinEpochs < 1) errors.Add($"search.asha.minEpochs: {MinEpochs} must be at least 1");
        else if (MinEpochs >= epochs)
            errors.Add($"search.asha.minEpochs: {MinEpochs} must be below epochs ({epochs}), or there is no rung to stop at");
        if (Eta < 2) errors.Add($"search.asha.eta: {Eta} must be at least 2 (each rung keeps 1/eta)");
        return errors;
    }

    public AshaPolicy Policy(int epochs) => new(MinEpochs, Eta, epochs);
}

/// <summary>When the search ends: the first limit reached. At least one must be given.</summary>
public sealed record SearchBudget
{
    public int? Experiments { get; init; }
    public long? TrainerEpochs { get; init; }
    public double? SlotHours { get; init; }

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
