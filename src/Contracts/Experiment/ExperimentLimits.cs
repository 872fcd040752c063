using System.Globalization;

namespace StableSnn.Contracts;

/// <summary>
/// The ranges of one experiment's settings, stated once: the trainer checks a spec against them
/// (<see cref="ExperimentSpec.Validate"/>) and the engine checks a sweep's shared settings against them before anything
/// is queued. Each rule returns what is wrong with a value ("0 must be at least 1"), or null when it is allowed; the
/// caller names the field as its reader spells it.
/// </summary>
public static class ExperimentLimits
{
    public static string? Epochs(int value) => AtLeastOne(value);
    public static string? BatchSize(int value) => AtLeastOne(value);
    public static string? LearningRate(double value) => value > 0 && double.IsFinite(value) ? null : $"{F(value)} must be a finite number > 0";
    /// <summary>The training, test and attack subsets: a number of images.</summary>
    public static string? Subset(int value) => AtLeastOne(value);
    public static string? ValidationFraction(double value) => value is >= 0 and < 1 ? null : $"{F(value)} must be in [0, 1)";
    public static string? TimeSteps(int value) => AtLeastOne(value);
    public static string? EvaluationSeed(int value) => value >= 0 ? null : $"{value} must be >= 0";

    /// <summary>Adds "<paramref name="field"/>: PROBLEM<paramref name="remedy"/>" when <paramref name="problem"/> is not null.</summary>
    public static void Check(List<string> errors, string field, string? problem, string remedy = "")
    {
        if (problem is not null) errors.Add($"{field}: {problem}{remedy}");
    }

    static string? AtLeastOne(int value) => value >= 1 ? null : $"{value} must be at least 1";

    static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
