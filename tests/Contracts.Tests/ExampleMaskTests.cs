namespace StableSnn.Contracts.Tests;

public sealed class ExampleMaskTests
{
    [Fact]
    public void Packs_least_significant_bit_first_and_round_trips()
    {
        bool[] mask = [true, false, false, false, false, false, false, false, true, true];
        var packed = ExampleMask.Pack(mask);
        Assert.Equal(Convert.ToBase64String([0b0000_0001, 0b0000_0011]), packed);
        Assert.Equal(mask, ExampleMask.Unpack(packed, mask.Length));
    }

    [Fact]
    public void Unpacking_with_the_wrong_count_is_refused() =>
        Assert.Throws<FormatException>(() => ExampleMask.Unpack(ExampleMask.Pack(new bool[9]), 20));

    [Fact]
    public void Discordant_pairs_and_conjunction()
    {
        bool[] a = [true, true, false, false, true];
        bool[] b = [true, false, true, false, false];
        Assert.Equal((2, 1), ExampleMask.Discordant(a, b));
        Assert.Equal([true, false, false, false, false], ExampleMask.And(a, b));
    }
}
