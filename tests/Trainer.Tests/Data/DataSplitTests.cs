using StableSnn.Trainer.Data;

namespace StableSnn.Trainer.Tests.Data;

public class DataSplitTests
{
    [Fact]
    public void SplitIsDisjointCompleteAndSeeded()
    {
        using var all = TinyDatasets.Numbered(100);
        var (train, validation) = DataSplit.TrainValidation(all, 0.2, seed: 1);
        var (train2, validation2) = DataSplit.TrainValidation(all, 0.2, seed: 1);
        var (train3, validation3) = DataSplit.TrainValidation(all, 0.2, seed: 2);
        using (train) using (validation) using (train2) using (validation2) using (train3) using (validation3)
        {
            Assert.Equal(80, train.Count);
            Assert.Equal(20, validation.Count);
            var t = TinyDatasets.Labels(train);
            var v = TinyDatasets.Labels(validation);
            Assert.Empty(t.Intersect(v));
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), t.Concat(v).Order());

            Assert.Equal(v, TinyDatasets.Labels(validation2));
            Assert.Equal(t, TinyDatasets.Labels(train2));
            Assert.NotEqual(v, TinyDatasets.Labels(validation3));

            // Images travel with their labels (pixel value == item number).
            Assert.Equal(v.Select(i => (byte)i), validation.Images[.., 0, 0, 0].data<byte>().ToArray());
        }
    }

    [Fact]
    public void ZeroFractionGivesEmptyValidation()
    {
        using var all = TinyDatasets.Numbered(10);
        var (train, validation) = DataSplit.TrainValidation(all, 0, seed: 3);
        using (train) using (validation)
        {
            Assert.Equal(10, train.Count);
            Assert.Equal(0, validation.Count);
            Assert.Equal(new long[] { 0, 1, 4, 4 }, validation.Images.shape);
        }
    }

    [Fact]
    public void SubsetRespectsSizeAndSeed()
    {
        using var all = TinyDatasets.Numbered(50);
        using var a = DataSplit.Subset(all, 7, seed: 5);
        using var b = DataSplit.Subset(all, 7, seed: 5);
        using var c = DataSplit.Subset(all, 7, seed: 6);
        using var full = DataSplit.Subset(all, null, seed: 5);
        using var clamped = DataSplit.Subset(all, 500, seed: 5);

        Assert.Equal(7, a.Count);
        Assert.Equal(7, TinyDatasets.Labels(a).Distinct().Count());
        Assert.Equal(TinyDatasets.Labels(a), TinyDatasets.Labels(b));
        Assert.NotEqual(TinyDatasets.Labels(a), TinyDatasets.Labels(c));
        Assert.Equal(50, full.Count);
        Assert.Equal(50, clamped.Count);
    }

    [Fact]
    public void InvalidFractionIsRejected()
    {
        using var all = TinyDatasets.Numbered(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(all, 1.0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(all, -0.1, 0));
    }
}
