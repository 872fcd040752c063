using StableSnn.Trainer.Data;

using StableSnn.TestSupport;

namespace StableSnn.Trainer.Tests.Data;

public sealed class CifarReaderTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    // Record r, channel c, position p -> distinct value per record and channel, varying over positions.
    private static byte Pixel(int r, int c, int p) => (byte)(r * 60 + c * 20 + p % 7);

    [Fact]
    public void Cifar10KeepsChannelOrderAndLabelsAcrossFiles()
    {
        File.WriteAllBytes(dir.File("a.bin"), SyntheticFiles.CifarRecords([[3], [9]], Pixel));
        File.WriteAllBytes(dir.File("b.bin"), SyntheticFiles.CifarRecords([[0]], (r, c, p) => Pixel(r + 2, c, p)));
        using var ds = CifarReader.ReadCifar10([dir.File("a.bin"), dir.File("b.bin")]);

        Assert.Equal(new long[] { 3, 3, 32, 32 }, ds.Images.shape);
        Assert.Equal(new long[] { 3, 9, 0 }, ds.Labels.data<long>().ToArray());
        Assert.Equal(10, ds.Classes);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                // Position p = y * 32 + x; check a corner and an interior pixel of each plane (R, G, B).
                Assert.Equal(Pixel(r, c, 0), ds.Images[r, c, 0, 0].item<byte>());
                Assert.Equal(Pixel(r, c, 5 * 32 + 9), ds.Images[r, c, 5, 9].item<byte>());
            }
    }

    [Fact]
    public void RecordsAreReadStraightIntoTheTensor()
    {
        // Reading whole files first kept 150 MB of copies of CIFAR's training set in the trainer's managed heap.
        const int count = 500;
        File.WriteAllBytes(dir.File("big.bin"), SyntheticFiles.CifarRecords(
            [.. Enumerable.Range(0, count).Select(i => new[] { (byte)(i % 10) })], Pixel));

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var ds = CifarReader.ReadCifar10([dir.File("big.bin")]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long pixelBytes = count * 3L * 32 * 32;
        Assert.Equal(Pixel(count - 1, 2, 31 * 32 + 31), ds.Images[count - 1, 2, 31, 31].item<byte>());
        Assert.True(allocated < pixelBytes / 4, $"reading {pixelBytes} pixel bytes allocated {allocated} managed bytes");
    }

    [Fact]
    public void Cifar100UsesTheFineLabel()
    {
        File.WriteAllBytes(dir.File("train.bin"), SyntheticFiles.CifarRecords([[19, 99], [0, 42]], Pixel));
        using var ds = CifarReader.ReadCifar100([dir.File("train.bin")]);

        Assert.Equal(new long[] { 99, 42 }, ds.Labels.data<long>().ToArray());
        Assert.Equal(100, ds.Classes);
        Assert.Equal(Pixel(1, 2, 31 * 32 + 31), ds.Images[1, 2, 31, 31].item<byte>());
        Assert.Equal(Pixel(0, 0, 0), ds.Images[0, 0, 0, 0].item<byte>());
    }

    [Fact]
    public void MissingFileSaysWhatToDownload()
    {
        var ex = Assert.Throws<DatasetException>(() => CifarReader.ReadCifar10([dir.File("data_batch_1.bin")]));
        Assert.Contains(dir.File("data_batch_1.bin"), ex.Message);
        Assert.Contains("CIFAR-10 binary version", ex.Message);

        ex = Assert.Throws<DatasetException>(() => CifarReader.ReadCifar100([dir.File("train.bin")]));
        Assert.Contains("CIFAR-100 binary version", ex.Message);
    }

    [Fact]
    public void LengthNotAMultipleOfTheRecordIsRejected()
    {
        File.WriteAllBytes(dir.File("x.bin"), SyntheticFiles.CifarRecords([[1], [2]], Pixel)[..^1]);
        var ex = Assert.Throws<DatasetException>(() => CifarReader.ReadCifar10([dir.File("x.bin")]));
        Assert.Contains(dir.File("x.bin"), ex.Message);
        Assert.Contains("3073-byte record", ex.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        File.WriteAllBytes(dir.File("x.bin"), SyntheticFiles.CifarRecords([[1], [10]], Pixel));
        var ex = Assert.Throws<DatasetException>(() => CifarReader.ReadCifar10([dir.File("x.bin")]));
        Assert.Contains("record 1 has label 10", ex.Message);

        File.WriteAllBytes(dir.File("y.bin"), SyntheticFiles.CifarRecords([[0, 100]], Pixel));
        ex = Assert.Throws<DatasetException>(() => CifarReader.ReadCifar100([dir.File("y.bin")]));
        Assert.Contains("label 100", ex.Message);
    }
}
