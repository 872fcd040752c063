using StableSnn.Trainer.Data;

using StableSnn.TestSupport;

namespace StableSnn.Trainer.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private static readonly byte[] Pixels = [.. Enumerable.Range(0, 12).Select(i => (byte)(i * 20))];

    public void Dispose() => dir.Dispose();

    private (string Images, string Labels) Write(byte[] images, byte[] labels)
    {
        SyntheticFiles.WriteGzip(dir.File("images.gz"), images);
        SyntheticFiles.WriteGzip(dir.File("labels.gz"), labels);
        return (dir.File("images.gz"), dir.File("labels.gz"));
    }

    [Fact]
    public void ReadsShapesPixelsAndLabels()
    {
        var (images, labels) = Write(SyntheticFiles.IdxImages(3, 2, 2, Pixels), SyntheticFiles.IdxLabels([7, 0, 9]));
        using var ds = IdxReader.Read(images, labels, "fashion-mnist/train", 10);

        Assert.Equal(new long[] { 3, 1, 2, 2 }, ds.Images.shape);
        Assert.Equal((3, 1, 2, 2, 10), (ds.Count, ds.Channels, ds.Height, ds.Width, ds.Classes));
        Assert.Equal(Pixels, ds.Images.data<byte>().ToArray());
        Assert.Equal(new long[] { 7, 0, 9 }, ds.Labels.data<long>().ToArray());
        Assert.Equal("fashion-mnist/train", ds.Name);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(dir.File("nope.gz"), dir.File("labels.gz"), "mnist", 10));
        Assert.Contains(dir.File("nope.gz"), ex.Message);
        Assert.Contains("--data-root", ex.Message);
    }

    [Fact]
    public void BadMagicIsRejected()
    {
        // Files swapped: each carries the other's magic number.
        var (images, labels) = Write(SyntheticFiles.IdxLabels([1, 2, 3]), SyntheticFiles.IdxImages(3, 2, 2, Pixels));
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(images, labels, "mnist", 10));
        Assert.Contains(images, ex.Message);
        Assert.Contains("magic number 0x00000801, expected 0x00000803", ex.Message);

        // A well-formed images file with a corrupted magic number.
        var corrupt = SyntheticFiles.IdxImages(3, 2, 2, Pixels);
        corrupt[2] = 0x09;
        (images, labels) = Write(corrupt, SyntheticFiles.IdxLabels([1, 2, 3]));
        ex = Assert.Throws<DatasetException>(() => IdxReader.Read(images, labels, "mnist", 10));
        Assert.Contains("magic number 0x00000903", ex.Message);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        var (images, labels) = Write(SyntheticFiles.IdxImages(3, 2, 2, Pixels[..10]), SyntheticFiles.IdxLabels([1, 2, 3]));
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(images, labels, "mnist", 10));
        Assert.Contains(images, ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void TrailingDataIsRejected()
    {
        var (images, labels) = Write([.. SyntheticFiles.IdxImages(3, 2, 2, Pixels), 1, 2], SyntheticFiles.IdxLabels([1, 2, 3]));
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(images, labels, "mnist", 10));
        Assert.Contains(images, ex.Message);
        Assert.Contains("more data than its header's 12 bytes", ex.Message);
    }

    [Fact]
    public void PixelsAreNotCopiedThroughTheManagedHeap()
    {
        // 2,000 MNIST-sized images: the old reader allocated the decompressed file three times over (~5 MB), and
        // those arrays stayed resident in the trainer for the whole run. Streams and labels need a few tens of KB.
        const int count = 2000;
        var pixels = new byte[count * 28 * 28];
        new Random(1).NextBytes(pixels);
        var (images, labels) = Write(SyntheticFiles.IdxImages(count, 28, 28, pixels),
            SyntheticFiles.IdxLabels([.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))]));

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var ds = IdxReader.Read(images, labels, "mnist", 10);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(pixels, ds.Images.data<byte>().ToArray());
        Assert.True(allocated < pixels.Length / 4, $"reading {pixels.Length} pixel bytes allocated {allocated} managed bytes");
    }

    [Fact]
    public void CountMismatchIsRejected()
    {
        var (images, labels) = Write(SyntheticFiles.IdxImages(3, 2, 2, Pixels), SyntheticFiles.IdxLabels([1, 2]));
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(images, labels, "mnist", 10));
        Assert.Contains("3 images", ex.Message);
        Assert.Contains("2 labels", ex.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        var (images, labels) = Write(SyntheticFiles.IdxImages(3, 2, 2, Pixels), SyntheticFiles.IdxLabels([1, 10, 3]));
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(images, labels, "mnist", 10));
        Assert.Contains("label 1 is 10", ex.Message);
    }

    [Fact]
    public void NotGzipIsRejected()
    {
        File.WriteAllBytes(dir.File("raw"), SyntheticFiles.IdxLabels([1]));
        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(dir.File("raw"), dir.File("raw"), "mnist", 10));
        Assert.Contains("gzip", ex.Message);
    }
}
