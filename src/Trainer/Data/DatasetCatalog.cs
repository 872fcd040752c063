namespace StableSnn.Trainer.Data;

/// <summary>The datasets the trainer knows by name, and where their files are expected.</summary>
public static class DatasetCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "mnist", "cifar10", "cifar100"];

    /// <summary>Shape, classes and normalisation of a dataset. Arrays are fresh copies, safe to modify.</summary>
    public static DatasetInfo Describe(string name) => Canonical(name) switch
    {
        "fashion-mnist" => new("fashion-mnist", 1, 28, 28, 10, [0.2860f], [0.3530f], false),
        "mnist" => new("mnist", 1, 28, 28, 10, [0.1307f], [0.3081f], false),
        "cifar10" => new("cifar10", 3, 32, 32, 10, [0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f], true),
        _ => new("cifar100", 3, 32, 32, 100, [0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f], true),
    };

    /// <summary>
    /// Loads the train and test sets (named "name/train" and "name/test"). The caller owns and disposes both.
    /// MNIST-style sets default to their Debian install folder; CIFAR needs <paramref name="dataRoot"/>.
    /// </summary>
    public static (ImageDataset Train, ImageDataset Test) Load(string name, string? dataRoot)
    {
        var info = Describe(name);
        return info.Name switch
        {
            "fashion-mnist" => LoadIdx(info, dataRoot ?? DatasetHints.FashionMnistRoot),
            "mnist" => LoadIdx(info, dataRoot ?? DatasetHints.MnistRoot),
            "cifar10" => LoadPair(
                root => CifarReader.ReadCifar10(Enumerable.Range(1, 5).Select(i => Path.Combine(root, $"data_batch_{i}.bin")), "cifar10/train"),
                root => CifarReader.ReadCifar10([Path.Combine(root, "test_batch.bin")], "cifar10/test"),
                CifarFolder(info.Name, dataRoot, "cifar-10-batches-bin", "test_batch.bin")),
            _ => LoadPair(
                root => CifarReader.ReadCifar100([Path.Combine(root, "train.bin")], "cifar100/train"),
                root => CifarReader.ReadCifar100([Path.Combine(root, "test.bin")], "cifar100/test"),
                CifarFolder(info.Name, dataRoot, "cifar-100-binary", "test.bin")),
        };
    }

    private static string Canonical(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        return Names.Contains(key) ? key
            : throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Names)}.", nameof(name));
    }

    private static (ImageDataset, ImageDataset) LoadIdx(DatasetInfo info, string root) => LoadPair(
        r => IdxReader.Read(Path.Combine(r, "train-images-idx3-ubyte.gz"), Path.Combine(r, "train-labels-idx1-ubyte.gz"), $"{info.Name}/train", info.Classes),
        r => IdxReader.Read(Path.Combine(r, "t10k-images-idx3-ubyte.gz"), Path.Combine(r, "t10k-labels-idx1-ubyte.gz"), $"{info.Name}/test", info.Classes),
        root);

    // Disposes the train set if the test set fails, so a bad install does not leak hundreds of MB.
    private static (ImageDataset, ImageDataset) LoadPair(Func<string, ImageDataset> train, Func<string, ImageDataset> test, string root)
    {
        var trainSet = train(root);
        try { return (trainSet, test(root)); }
        catch { trainSet.Dispose(); throw; }
    }

    // Accepts either the folder holding the .bin files or its parent, where the release tarball was extracted.
    private static string CifarFolder(string name, string? dataRoot, string innerFolder, string probeFile)
    {
        if (string.IsNullOrWhiteSpace(dataRoot))
            throw new DatasetException($"Dataset {name} needs --data-root: it cannot be downloaded here. {DatasetHints.For(name)}");
        var inner = Path.Combine(dataRoot, innerFolder);
        return !File.Exists(Path.Combine(dataRoot, probeFile)) && Directory.Exists(inner) ? inner : dataRoot;
    }
}
