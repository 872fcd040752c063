using StableSnn.Trainer.Data;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Data;

public class BatchIteratorTests
{
    private static List<long[]> Epoch(ImageDataset ds, int batchSize, bool shuffle, int seed, Augmentation? augmentation = null)
    {
        var batches = new List<long[]>();
        foreach (var (images, labels) in BatchIterator.Batches(ds, batchSize, shuffle, seed, augmentation, CPU))
            using (images) using (labels)
            {
                Assert.Equal(ScalarType.Float32, images.dtype);
                Assert.Equal(ScalarType.Int64, labels.dtype);
                Assert.Equal(labels.shape[0], images.shape[0]);
                batches.Add(labels.data<long>().ToArray());
            }
        return batches;
    }

    [Fact]
    public void CoversEveryItemOnceWithPartialLastBatch()
    {
        using var ds = TinyDatasets.Numbered(23);
        var batches = Epoch(ds, 5, shuffle: true, seed: 7);

        Assert.Equal(new[] { 5, 5, 5, 5, 3 }, batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (long)i), batches.SelectMany(b => b).Order());
        Assert.NotEqual(Enumerable.Range(0, 23).Select(i => (long)i), batches.SelectMany(b => b));
    }

    [Fact]
    public void OrderDependsOnlyOnTheSeed()
    {
        using var ds = TinyDatasets.Numbered(30);
        var a = Epoch(ds, 8, true, 1).SelectMany(b => b);
        Assert.Equal(a, Epoch(ds, 8, true, 1).SelectMany(b => b));
        Assert.NotEqual(a, Epoch(ds, 8, true, 2).SelectMany(b => b));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), Epoch(ds, 8, false, 1).SelectMany(b => b));
    }

    [Fact]
    public void ImagesAreScaledToUnitRangeAndMatchTheirLabels()
    {
        using var ds = TinyDatasets.Numbered(10);
        foreach (var (images, labels) in BatchIterator.Batches(ds, 4, true, 3, null, CPU))
            using (images) using (labels)
            {
                var expected = labels.to_type(ScalarType.Float32).div(255f);
                Assert.True(images[.., 0, 0, 0].allclose(expected));
                expected.Dispose();
            }
    }

    [Fact]
    public void AugmentedBatchesAreReproducibleAndDoNotLeak()
    {
        using var ds = TinyDatasets.Numbered(12, channels: 3, side: 32);
        // The count is process-wide: let earlier tests' undisposed wrappers (e.g. autograd's) be finalized first, so
        // only this test's tensors can move it. No collection at the end: that would hide a leak here.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Tensor.TotalCount;
        Tensor[] Run()
        {
            var list = new List<Tensor>();
            foreach (var (images, labels) in BatchIterator.Batches(ds, 5, true, 9, new Augmentation(), CPU))
            {
                labels.Dispose();
                list.Add(images);
            }
            return [.. list];
        }
        var first = Run();
        var second = Run();
        Assert.All(first.Zip(second), p => Assert.True(p.First.allclose(p.Second, 0, 0)));
        foreach (var t in first.Concat(second))
            t.Dispose();
        Assert.Equal(before, Tensor.TotalCount);
    }
}
