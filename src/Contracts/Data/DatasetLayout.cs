namespace StableSnn.Contracts;

/// <summary>
/// Where each dataset's files are expected and how to obtain them: the trainer loads from these paths, the CLI
/// checks them before a sweep is submitted, so a missing download fails in a second instead of in every experiment.
/// </summary>
public static class DatasetLayout
{
    public const string FashionMnistRoot = "/usr/share/datasets/fashion-mnist";
    public const string MnistRoot = "/usr/share/datasets/mnist";

    public static readonly IReadOnlyList<string> IdxTrainFiles = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"];
    public static readonly IReadOnlyList<string> IdxTestFiles = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
    public static readonly IReadOnlyList<string> Cifar10TrainFiles = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")];
    public const string Cifar10TestFile = "test_batch.bin";
    public const string Cifar100TrainFile = "train.bin";
    public const string Cifar100TestFile = "test.bin";

    /// <summary>Every file a dataset needs, in its folder.</summary>
    public static IReadOnlyList<string> Files(string dataset) => dataset switch
    {
        "fashion-mnist" or "mnist" => [.. IdxTrainFiles, .. IdxTestFiles],
        "cifar10" => [.. Cifar10TrainFiles, Cifar10TestFile],
        "cifar100" => [Cifar100TrainFile, Cifar100TestFile],
        _ => throw new ArgumentException($"Unknown dataset '{dataset}'. Known datasets: {string.Join(", ", Vocabulary.Datasets)}.", nameof(dataset)),
    };

    /// <summary>
    /// The folder holding a dataset's files: <paramref name="dataRoot"/>, or the default install folder of the MNIST
    /// sets. CIFAR accepts the release folder itself or the folder it was extracted into. Null when CIFAR has no root.
    /// </summary>
    public static string? Folder(string dataset, string? dataRoot)
    {
        if (string.IsNullOrWhiteSpace(dataRoot)) dataRoot = null;
        return dataset switch
        {
            "fashion-mnist" => dataRoot ?? FashionMnistRoot,
            "mnist" => dataRoot ?? MnistRoot,
            "cifar10" => CifarFolder(dataRoot, "cifar-10-batches-bin", Cifar10TestFile),
            "cifar100" => CifarFolder(dataRoot, "cifar-100-binary", Cifar100TestFile),
            _ => throw new ArgumentException($"Unknown dataset '{dataset}'. Known datasets: {string.Join(", ", Vocabulary.Datasets)}.", nameof(dataset)),
        };
    }

    /// <summary>What is wrong with a dataset's files (naming the folder, the files and the fix), or null when all are there.</summary>
    public static string? Problem(string dataset, string? dataRoot)
    {
        var folder = Folder(dataset, dataRoot);
        var files = Files(dataset);
        if (folder is null)
            return $"{dataset} needs a data root (it is not installed by default and cannot be downloaded here); {For(dataset)}";
        if (!Directory.Exists(folder))
            return $"{dataset} folder '{folder}' does not exist (needs {string.Join(", ", files)}); {For(dataset)}";
        var missing = files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count == 0) return null;
        return $"{dataset} {(missing.Count == 1 ? "file" : "files")} missing in '{folder}': {string.Join(", ", missing)}; {For(dataset)}";
    }

    static string? CifarFolder(string? dataRoot, string innerFolder, string probeFile)
    {
        if (dataRoot is null) return null;
        var inner = Path.Combine(dataRoot, innerFolder);
        return !File.Exists(Path.Combine(dataRoot, probeFile)) && Directory.Exists(inner) ? inner : dataRoot;
    }

    /// <summary>The fix for a dataset name such as "fashion-mnist" or "cifar10/train" (the part before '/').</summary>
    public static string For(string name) => name.Split('/')[0].ToLowerInvariant() switch
    {
        "fashion-mnist" =>
            $"Install it with 'sudo apt-get install dataset-fashion-mnist' (files go to {FashionMnistRoot}), " +
            "or pass the folder holding the four idx .gz files as --data-root.",
        "mnist" =>
            "Download the four idx .gz files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
            "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) from the MNIST site into the folder " +
            $"given by --data-root (default {MnistRoot}).",
        "cifar10" =>
            "Download and extract the \"CIFAR-10 binary version\" (cifar-10-binary.tar.gz) and pass its folder " +
            "(cifar-10-batches-bin, or the folder containing it) as --data-root.",
        "cifar100" =>
            "Download and extract the \"CIFAR-100 binary version\" (cifar-100-binary.tar.gz) and pass its folder " +
            "(cifar-100-binary, or the folder containing it) as --data-root.",
        _ => "Re-download the dataset files and check --data-root.",
    };
}
