using StableSnn.Trainer.Data;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Data;

public class AugmentationTests
{
    [Fact]
    public void DefaultKeepsShapeAndRangeAndIsSeeded()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var batch = rand(8, 3, 32, 32);
        var a = new Augmentation().Apply(batch, new Random(42));
        var b = new Augmentation().Apply(batch, new Random(42));
        var c = new Augmentation().Apply(batch, new Random(43));

        Assert.Equal(batch.shape, a.shape);
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
        Assert.True(a.allclose(b, 0, 0));
        Assert.False(a.allclose(c, 0, 0));
        Assert.False(a.allclose(batch, 0, 0));
    }

    [Fact]
    public void ForcedFlipAloneMirrorsTheWidthAxis()
    {
        using var scope = NewDisposeScope();
        var batch = rand(4, 3, 8, 8);
        var flipOnly = new Augmentation { Padding = 0, CutoutSize = 0, FlipProbability = 1 };
        Assert.True(flipOnly.Apply(batch, new Random(1)).allclose(batch.flip(3), 0, 0));

        var nothing = new Augmentation { Padding = 0, CutoutSize = 0, Flip = false };
        Assert.True(nothing.Apply(batch, new Random(1)).allclose(batch, 0, 0));
    }

    [Fact]
    public void CutoutZeroesOneSixteenBySixteenHoleInside()
    {
        using var scope = NewDisposeScope();
        var cutoutOnly = new Augmentation { Padding = 0, Flip = false };
        // FixedRandom puts the centre at (16, 16): the hole covers rows and columns 8..23.
        var result = cutoutOnly.Apply(ones(2, 3, 32, 32), new FixedRandom(0));

        Assert.Equal(2 * 3 * 16 * 16, result.eq(0).sum().item<long>());
        Assert.Equal(2 * 3 * 16 * 16, result[.., .., 8..24, 8..24].eq(0).sum().item<long>());
    }

    [Fact]
    public void CutoutIsClippedAtTheBorder()
    {
        using var scope = NewDisposeScope();
        // On a 4x4 image the centre (2, 2) with a 16-wide hole covers everything.
        var result = new Augmentation { Padding = 0, Flip = false }.Apply(ones(1, 1, 4, 4), new FixedRandom(0));
        Assert.Equal(16, result.eq(0).sum().item<long>());
    }

    [Fact]
    public void CropShiftsByTheDrawnOffset()
    {
        using var scope = NewDisposeScope();
        var batch = rand(1, 1, 6, 6);
        // FixedRandom draws offset 4 of 0..8 with padding 4: the crop is the original image.
        var crop = new Augmentation { CutoutSize = 0, Flip = false }.Apply(batch, new FixedRandom(0));
        Assert.True(crop.allclose(batch, 0, 0));
    }
}
