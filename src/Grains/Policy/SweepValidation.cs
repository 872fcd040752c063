using System.Globalization;
using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Grains.Policy;

/// <summary>
/// Checks a sweep before anything is queued. Reports every problem at once (an operator fixing a YAML file should not
/// have to resubmit once per mistake); each message starts with the field as spelled in the spec file and says the fix.
/// </summary>
public static class SweepValidation
{
    public const int MaxNameLength = 63;
    public const int MaxAttemptsLimit = 20;

    public static IReadOnlyList<string> Validate(SweepSpec spec, int maxExperiments)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<string>();
        CheckName(spec.Name, errors);
        CheckNames("datasets", "dataset", spec.Datasets, Vocabulary.Datasets, errors);
        CheckNames("architectures", "architecture", spec.Architectures, ArchitectureNames.All, errors);
        if (spec.ProposesTrials) CheckSearchAxes(spec, errors);
        else CheckAlphas(spec.Alphas, errors);
        CheckNames("neurons", "neuron", spec.Neurons, Vocabulary.Neurons, errors);
        CheckNames("modes", "mode", spec.Modes, Vocabulary.Modes, errors);
        CheckSeeds(spec.Seeds, errors);
        ExperimentLimits.Check(errors, "epochs", ExperimentLimits.Epochs(spec.Epochs));
        if (!AttackSuiteNames.IsKnown(spec.AttackSuite))
            errors.Add($"attackSuite: '{spec.AttackSuite}' is not a known suite; use one of {Join(AttackSuiteNames.All)}, or a path ending in .json");
        CheckTraining(spec.Training ?? new TrainingSettings(), errors);
        var slotKind = spec.Resources?.SlotKind;
        if (slotKind is null || !Vocabulary.SlotKinds.Contains(slotKind, StringComparer.Ordinal))
            errors.Add($"resources.slotKind: '{slotKind}' is not a known slot kind; use one of {Join(Vocabulary.SlotKinds)}");
        if (spec.MaxConcurrency < 0)
            errors.Add($"maxConcurrency: {spec.MaxConcurrency} is negative; use 0 for no limit or a positive number of slots");
        if (!double.IsFinite(spec.BaselineAlpha) || spec.BaselineAlpha < 0)
            errors.Add($"baselineAlpha: {Format(spec.BaselineAlpha)} must be a finite weight >= 0 (default 0, the unregularised twin)");
        if (spec.MaxAttempts is < 1 or > MaxAttemptsLimit)
            errors.Add($"maxAttempts: {spec.MaxAttempts} must be between 1 and {MaxAttemptsLimit}");
        if (spec.Search is { } search)
        {
            errors.AddRange(search.Validate(spec.Epochs));
            if (search.Budget?.Experiments > maxExperiments)
                errors.Add($"search.budget.experiments: {search.Budget.Experiments} is more than the limit of {maxExperiments}; lower it or raise the limit");
        }
        var count = GridExpansion.Count(spec);
        if (count > maxExperiments)
            errors.Add($"grid has {(count == long.MaxValue ? "at least " : "")}{count} experiments, more than the limit of {maxExperiments}; split the sweep or raise the limit");
        return errors;
    }

    private static void CheckName(string? name, List<string> errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name: is empty; give the sweep a name of lower-case letters, digits and '-'");
            return;
        }
        if (name.Length > MaxNameLength)
            errors.Add($"name: '{name}' has {name.Length} characters; shorten it to at most {MaxNameLength}");
        var bad = name.Where(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')).Distinct().ToArray();
        if (bad.Length > 0)
            errors.Add($"name: '{name}' contains {string.Join(", ", bad.Select(c => $"'{c}'"))}; use only lower-case letters, digits and '-'");
        if (name[0] == '-' || name[^1] == '-')
            errors.Add($"name: '{name}' starts or ends with '-'; begin and end with a letter or digit");
    }

    private static void CheckNames(string field, string what, string[]? values, IReadOnlyList<string> known, List<string> errors)
    {
        if (values is null || values.Length == 0)
        {
            errors.Add($"{field}: is empty; list at least one {what} ({Join(known)})");
            return;
        }
        foreach (var value in values.Where(v => !known.Contains(v, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
            errors.Add($"{field}: '{value}' is not a known {what}; use one of {Join(known)}");
        foreach (var value in Duplicates(values, StringComparer.Ordinal))
            errors.Add($"{field}: '{value}' is listed more than once; remove the duplicate");
    }

    private static void CheckAlphas(double[]? alphas, List<string> errors)
    {
        if (alphas is null || alphas.Length == 0)
        {
            errors.Add("alphas: is empty; list at least one regularisation weight >= 0 (0 disables the regulariser)");
            return;
        }
        foreach (var alpha in alphas)
        {
            if (!double.IsFinite(alpha)) errors.Add($"alphas: {Format(alpha)} is not a finite number; use a weight >= 0");
            else if (alpha < 0) errors.Add($"alphas: {Format(alpha)} is negative; the regularisation weight must be >= 0");
        }
        // Compared as doubles: 0.1 and 0.10000000000000001 parse to the same value, hence the same experiment key.
        foreach (var alpha in Duplicates(alphas, EqualityComparer<double>.Default))
            errors.Add($"alphas: {Format(alpha)} is listed more than once (values equal as doubles are the same experiment); remove the duplicate");
    }

    /// <summary>A search tunes one configuration: alpha comes from its proposals, every other axis has one value.</summary>
    private static void CheckSearchAxes(SweepSpec spec, List<string> errors)
    {
        if (spec.Alphas is { Length: > 0 })
            errors.Add("alphas: a search proposes alpha itself; remove the alphas axis, or set search.algorithm: grid to rank the grid");
        foreach (var (field, what, length) in new[]
        {
            ("datasets", "dataset", spec.Datasets?.Length ?? 0), ("architectures", "architecture", spec.Architectures?.Length ?? 0),
            ("neurons", "neuron", spec.Neurons?.Length ?? 0), ("modes", "mode", spec.Modes?.Length ?? 0), ("seeds", "seed", spec.Seeds?.Length ?? 0),
        })
        {
            if (length > 1) errors.Add($"{field}: a search tunes one configuration; give one {what} ({length} given), or submit one search per {what}");
        }
    }

    private static void CheckSeeds(int[]? seeds, List<string> errors)
    {
        if (seeds is null || seeds.Length == 0)
        {
            errors.Add("seeds: is empty; list at least one seed >= 0");
            return;
        }
        foreach (var seed in seeds.Where(s => s < 0).Distinct())
            errors.Add($"seeds: {seed} is negative; use seeds >= 0");
        foreach (var seed in Duplicates(seeds, EqualityComparer<int>.Default))
            errors.Add($"seeds: {seed} is listed more than once; remove the duplicate");
    }

    /// <summary>The shared training settings, by the trainer's own rules (<see cref="ExperimentLimits"/>); each may be omitted.</summary>
    private static void CheckTraining(TrainingSettings t, List<string> errors)
    {
        if (t.DataRoot is not null && string.IsNullOrWhiteSpace(t.DataRoot))
            errors.Add("training.dataRoot: is blank; give a directory or omit it for the trainer's default");
        void Check<T>(string field, T? value, Func<T, string?> rule) where T : struct =>
            ExperimentLimits.Check(errors, "training." + field, value is { } v ? rule(v) : null, ", or omitted for the default");
        Check("batchSize", t.BatchSize, ExperimentLimits.BatchSize);
        Check("learningRate", t.LearningRate, ExperimentLimits.LearningRate);
        Check("trainSubset", t.TrainSubset, ExperimentLimits.Subset);
        Check("testSubset", t.TestSubset, ExperimentLimits.Subset);
        Check("validationFraction", t.ValidationFraction, ExperimentLimits.ValidationFraction);
        Check("timeSteps", t.TimeSteps, ExperimentLimits.TimeSteps);
        Check("attackSubset", t.AttackSubset, ExperimentLimits.Subset);
        Check("evaluationSeed", t.EvaluationSeed, ExperimentLimits.EvaluationSeed);
    }

    /// <summary>Each value that occurs more than once, reported once and as first written.</summary>
    private static IEnumerable<T> Duplicates<T>(IEnumerable<T> values, IEqualityComparer<T> comparer) where T : notnull
    {
        var seen = new HashSet<T>(comparer);
        var reported = new HashSet<T>(comparer);
        foreach (var value in values)
            if (!seen.Add(value) && seen.TryGetValue(value, out var first) && reported.Add(first)) yield return first;
    }

    private static string Join(IEnumerable<string> values) => string.Join(", ", values);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
