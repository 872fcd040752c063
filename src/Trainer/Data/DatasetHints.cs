namespace StableSnn.Trainer.Data;

/// <summary>How to obtain each dataset; appended to every <see cref="DatasetException"/> message.</summary>
public static class DatasetHints
{
    public const string FashionMnistRoot = "/usr/share/datasets/fashion-mnist";
    public const string MnistRoot = "/usr/share/datasets/mnist";

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
