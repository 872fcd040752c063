using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Specs;

/// <summary>
/// Checks, before a sweep is submitted, that each dataset's files are where the trainer will look for them
/// (<see cref="DatasetLayout"/>). It looks on this machine: for a cluster, run it where the trainers run.
/// </summary>
public static class DatasetCheck
{
    /// <summary>One message per dataset whose files are missing, naming the dataset, the files and the fix; empty when all are there.</summary>
    public static IReadOnlyList<string> Check(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return (spec.Datasets ?? []).Distinct(StringComparer.Ordinal)
            .Where(d => Vocabulary.Datasets.Contains(d)) // an unknown name is SweepValidation's to report
            .Select(d => DatasetLayout.Problem(d, spec.Training?.DataRoot))
            .OfType<string>()
            // In a spec file the trainer's --data-root is training.dataRoot.
            .Select(p => "datasets: " + p.Replace("a data root", "training.dataRoot", StringComparison.Ordinal)
                .Replace("--data-root", "training.dataRoot", StringComparison.Ordinal))
            .ToList();
    }
}
