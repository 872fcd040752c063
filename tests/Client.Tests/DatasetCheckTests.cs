using StableSnn.Client.Specs;
using StableSnn.Grains.Model;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

public sealed class DatasetCheckTests : IDisposable
{
    private static readonly string[] IdxFiles =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SweepSpec Spec(string? dataRoot, params string[] datasets) => new()
    {
        Name = "check",
        Datasets = datasets,
        Architectures = ["small-cnn"],
        Alphas = [0],
        Training = new TrainingSettings { DataRoot = dataRoot },
    };

    private string Touch(params string[] relative)
    {
        foreach (var file in relative)
        {
            var path = Path.Combine(_dir.Path, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [1]);
        }
        return _dir.Path;
    }

    [Fact]
    public void Complete_idx_folder_passes()
    {
        Assert.Empty(DatasetCheck.Check(Spec(Touch(IdxFiles), "fashion-mnist", "mnist")));
    }

    [Fact]
    public void Missing_idx_file_is_named_with_the_dataset_and_the_fix()
    {
        var root = Touch(IdxFiles[..3]);

        var problem = Assert.Single(DatasetCheck.Check(Spec(root, "fashion-mnist")));

        Assert.StartsWith($"datasets: fashion-mnist file missing in '{root}': t10k-labels-idx1-ubyte.gz;", problem);
        Assert.DoesNotContain("train-images", problem);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", problem);
        Assert.Contains("training.dataRoot", problem);
        Assert.DoesNotContain("--data-root", problem);
    }

    [Fact]
    public void Missing_folder_is_reported_once_per_dataset()
    {
        var root = Path.Combine(_dir.Path, "absent");

        var problems = DatasetCheck.Check(Spec(root, "mnist", "mnist"));

        var problem = Assert.Single(problems);
        Assert.StartsWith($"datasets: mnist folder '{root}' does not exist", problem);
        Assert.Contains("from the MNIST site", problem);
    }

    [Fact]
    public void Cifar_without_data_root_asks_for_it()
    {
        var problems = DatasetCheck.Check(Spec(null, "cifar10", "cifar100"));

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("datasets: cifar10 needs training.dataRoot", problems[0]);
        Assert.Contains("cifar-10-binary.tar.gz", problems[0]);
        Assert.StartsWith("datasets: cifar100 needs training.dataRoot", problems[1]);
        Assert.Contains("cifar-100-binary.tar.gz", problems[1]);
    }

    [Fact]
    public void Cifar_files_directly_in_the_data_root_pass()
    {
        var root = Touch("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");

        Assert.Empty(DatasetCheck.Check(Spec(root, "cifar10")));
    }

    [Fact]
    public void Cifar_files_in_the_release_folder_pass()
    {
        var root = Touch("cifar-100-binary/train.bin", "cifar-100-binary/test.bin");

        Assert.Empty(DatasetCheck.Check(Spec(root, "cifar100")));
    }

    [Fact]
    public void Incomplete_cifar_release_folder_names_the_missing_batches()
    {
        var root = Touch("cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/test_batch.bin");
        var inner = Path.Combine(root, "cifar-10-batches-bin");

        var problem = Assert.Single(DatasetCheck.Check(Spec(root, "cifar10")));

        Assert.StartsWith(
            $"datasets: cifar10 files missing in '{inner}': data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin;",
            problem);
    }

    [Fact]
    public void Unknown_datasets_are_left_to_validation()
    {
        Assert.Empty(DatasetCheck.Check(Spec(_dir.Path, "imagenet")));
    }
}
