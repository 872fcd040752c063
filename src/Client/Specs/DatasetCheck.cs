using StableSnn.Grains.Model;
using StableSnn.Trainer.Data;

namespace StableSnn.Client.Specs;

/// <summary>
/// Checks, before a sweep is submitted, that each dataset's files are where the trainer will look for them
/// (the rules of <see cref="DatasetCatalog.Load"/>), so a missing download fails in a second rather than as every
/// experiment of the sweep failing. It looks on this machine: for a cluster, run it where the trainers run.
/// </summary>
public static class DatasetCheck
{
    private static readonly string[] IdxFiles =
    [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ];

    private static readonly string[] Cifar10Files =
        [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin"), "test_batch.bin"];

    private static readonly string[] Cifar100Files = ["train.bin", "test.bin"];

    /// <summary>One message per dataset whose files are missing, naming the dataset, the files and the fix; empty when all are there.</summary>
    public static IReadOnlyList<string> Check(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var dataRoot = string.IsNullOrWhiteSpace(spec.Training?.DataRoot) ? null : spec.Training.DataRoot;
        var problems = new List<string>();
        foreach (var dataset in (spec.Datasets ?? []).Distinct(StringComparer.Ordinal))
        {
            var problem = dataset switch
            {
                "fashion-mnist" => CheckFolder(dataset, dataRoot ?? DatasetHints.FashionMnistRoot, IdxFiles),
                "mnist" => CheckFolder(dataset, dataRoot ?? DatasetHints.MnistRoot, IdxFiles),
                "cifar10" => CheckCifar(dataset, dataRoot, "cifar-10-batches-bin", Cifar10Files),
                "cifar100" => CheckCifar(dataset, dataRoot, "cifar-100-binary", Cifar100Files),
                _ => null, // an unknown name is SweepValidation's to report
            };
            if (problem is not null) problems.Add(problem);
        }
        return problems;
    }

    private static string? CheckCifar(string dataset, string? dataRoot, string innerFolder, string[] files)
    {
        if (dataRoot is null)
            return $"datasets: {dataset} needs training.dataRoot (it is not installed by default and cannot be downloaded here); {Hint(dataset)}";
        // Same choice as the trainer: the release folder itself, or the folder it was extracted into.
        var inner = Path.Combine(dataRoot, innerFolder);
        var folder = !File.Exists(Path.Combine(dataRoot, files[^1])) && Directory.Exists(inner) ? inner : dataRoot;
        return CheckFolder(dataset, folder, files);
    }

    private static string? CheckFolder(string dataset, string folder, string[] files)
    {
        if (!Directory.Exists(folder))
            return $"datasets: {dataset} folder '{folder}' does not exist (needs {string.Join(", ", files)}); {Hint(dataset)}";
        var missing = files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count == 0) return null;
        var what = missing.Count == 1 ? "file" : "files";
        return $"datasets: {dataset} {what} missing in '{folder}': {string.Join(", ", missing)}; {Hint(dataset)}";
    }

    // The trainer's hints speak of its --data-root flag; in a spec file the same setting is training.dataRoot.
    private static string Hint(string dataset) =>
        DatasetHints.For(dataset).Replace("--data-root", "training.dataRoot", StringComparison.Ordinal);
}
