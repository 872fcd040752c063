using StableSnn.Contracts;
using StableSnn.Trainer.Data;

using StableSnn.TestSupport;

namespace StableSnn.Trainer.Tests.Data;

public sealed class DatasetCatalogTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void DescribesKnownDatasetsAndRejectsUnknownOnes()
    {
        var cifar = DatasetCatalog.Describe("CIFAR10");
        Assert.Equal(("cifar10", 3, 32, 32, 10, true), (cifar.Name, cifar.Channels, cifar.Height, cifar.Width, cifar.Classes, cifar.UsesCifarAugmentation));
        Assert.Equal(new[] { 0.4914f, 0.4822f, 0.4465f }, cifar.Mean);
        Assert.Equal(100, DatasetCatalog.Describe("cifar100").Classes);
        Assert.Equal(new[] { 0.3530f }, DatasetCatalog.Describe("fashion-mnist").Std);
        Assert.False(DatasetCatalog.Describe("mnist").UsesCifarAugmentation);

        var ex = Assert.Throws<ArgumentException>(() => DatasetCatalog.Describe("imagenet"));
        Assert.Contains("fashion-mnist, mnist, cifar10, cifar100", ex.Message);
    }

    [Fact]
    public void MissingFashionMnistSaysHowToInstallIt()
    {
        var ex = Assert.Throws<DatasetException>(() => DatasetCatalog.Load("fashion-mnist", dir.Path));
        Assert.Contains(dir.File("train-images-idx3-ubyte.gz"), ex.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
    }

    [Fact]
    public void CifarNeedsADataRoot()
    {
        var ex = Assert.Throws<DatasetException>(() => DatasetCatalog.Load("cifar10", null));
        Assert.Contains("--data-root", ex.Message);
    }

    [Fact]
    public void LoadsCifar10FromTheExtractedTarFolder()
    {
        var inner = Directory.CreateDirectory(dir.File("cifar-10-batches-bin")).FullName;
        for (int i = 1; i <= 5; i++)
            File.WriteAllBytes(Path.Combine(inner, $"data_batch_{i}.bin"), SyntheticFiles.CifarRecords([[(byte)i], [0]], (r, c, p) => 1));
        File.WriteAllBytes(Path.Combine(inner, "test_batch.bin"), SyntheticFiles.CifarRecords([[9]], (r, c, p) => 2));

        var (train, test) = DatasetCatalog.Load("cifar10", dir.Path);
        using (train) using (test)
        {
            Assert.Equal(10, train.Count);
            Assert.Equal(new long[] { 9 }, test.Labels.data<long>().ToArray());
            Assert.Equal("cifar10/train", train.Name);
        }
    }

    [Fact]
    public void LoadsCifar100FromItsFolder()
    {
        File.WriteAllBytes(dir.File("train.bin"), SyntheticFiles.CifarRecords([[1, 55], [2, 66]], (r, c, p) => 0));
        File.WriteAllBytes(dir.File("test.bin"), SyntheticFiles.CifarRecords([[3, 77]], (r, c, p) => 0));

        var (train, test) = DatasetCatalog.Load("cifar100", dir.Path);
        using (train) using (test)
        {
            Assert.Equal(new long[] { 55, 66 }, train.Labels.data<long>().ToArray());
            Assert.Equal(100, test.Classes);
        }
    }

    [Fact]
    public void LoadsTheInstalledFashionMnist()
    {
        // scripts/setup.sh (which the test command runs first) installs it: a missing install is a failure, not a pass.
        Assert.True(Directory.Exists(DatasetLayout.FashionMnistRoot),
            $"{DatasetLayout.FashionMnistRoot} is missing: run scripts/setup.sh (apt-get install dataset-fashion-mnist)");
        var (train, test) = DatasetCatalog.Load("fashion-mnist", null);
        using (train) using (test)
        {
            Assert.Equal((60000, 10000), (train.Count, test.Count));
            Assert.Equal((10, 1, 28, 28), (train.Classes, train.Channels, train.Height, train.Width));
            Assert.Equal(9L, train.Labels.max().item<long>());
            // The documented mean of Fashion-MNIST pixels is 0.2860.
            Assert.Equal(0.2860, train.Images.to_type(TorchSharp.torch.ScalarType.Float32).mean().item<float>() / 255, 3);
        }
    }
}
