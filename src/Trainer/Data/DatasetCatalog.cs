using StableSnn.Contracts;

namespace StableSnn.Trainer.Data;

/// <summary>The datasets the trainer knows by name, and where their files are expected.</summary>
public static class DatasetCatalog
{
    public static IReadOnlyList<string> Names => Vocabulary.Datasets;

    /// <summary>Shape, classes and normalisation of a dataset. Arrays are fresh copies, safe to modify.</summary>
    public static DatasetInfo Describe(string name) => Canonical(name) switch
    {
        "fashion-mnist" => new("fashion-mnist", 1, 28, 28, 10, [0.2860f], [0.3530f], false),
        "mnist" => new("mnist", 1, 28, 28, 10, [0.1307f], [0.3081f], false),
        "cifar10" => new("cifar10", 3, 32, 32, 10, [0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f], true),
        _ => new("cifar100", 3, 32, 32, 100, [0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f], true),
    };

    /// <summary>
    /// Loads the train and test sets (named "name/train" and "name/test") from the folder <see cref="DatasetLayout"/>
    /// names. The caller owns and disposes both. MNIST-style sets default to their Debian install folder; CIFAR needs
    /// <paramref name="dataRoot"/>.
    /// </summary>
    public static (ImageDataset Train, ImageDataset Test) Load(string name, string? dataRoot)
    {
        var info = Describe(name);
        var root = DatasetLayout.Folder(info.Name, dataRoot)
            ?? throw new DatasetException($"Dataset {info.Name} needs --data-root: it cannot be downloaded here. {DatasetLayout.For(info.Name)}");
        string In(string file) => Path.Combine(root, file);
        return info.Name switch
        {
            "fashion-mnist" or "mnist" => LoadPair(
                () => IdxReader.Read(In(DatasetLayout.IdxTrainFiles[0]), In(DatasetLayout.IdxTrainFiles[1]), $"{info.Name}/train", info.Classes),
                () => IdxReader.Read(In(DatasetLayout.IdxTestFiles[0]), In(DatasetLayout.IdxTestFiles[1]), $"{info.Name}/test", info.Classes)),
            "cifar10" => LoadPair(
                () => CifarReader.ReadCifar10(DatasetLayout.Cifar10TrainFiles.Select(In), "cifar10/train"),
                () => CifarReader.ReadCifar10([In(DatasetLayout.Cifar10TestFile)], "cifar10/test")),
            _ => LoadPair(
                () => CifarReader.ReadCifar100([In(DatasetLayout.Cifar100TrainFile)], "cifar100/train"),
                () => CifarReader.ReadCifar100([In(DatasetLayout.Cifar100TestFile)], "cifar100/test")),
        };
    }

    private static string Canonical(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        return Names.Contains(key) ? key
            : throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Names)}.", nameof(name));
    }

    // Disposes the train set if the test set fails, so a bad install does not leak hundreds of MB.
    private static (ImageDataset, ImageDataset) LoadPair(Func<ImageDataset> train, Func<ImageDataset> test)
    {
        var trainSet = train();
        try { return (trainSet, test()); }
        catch { trainSet.Dispose(); throw; }
    }
}
