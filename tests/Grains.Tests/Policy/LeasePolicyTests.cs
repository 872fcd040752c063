using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

public class LeasePolicyTests
{
    private static readonly DateTimeOffset Beat = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DefaultsToSixtySecondsRenewedEveryFifteen()
    {
        var lease = new LeasePolicy();
        Assert.Equal(TimeSpan.FromSeconds(60), lease.Duration);
        Assert.Equal(Beat.AddSeconds(60), lease.ExpiresAt(Beat));
    }

    [Fact]
    public void ExpiresExactlyAtTheBoundary()
    {
        var lease = new LeasePolicy(TimeSpan.FromSeconds(60));
        Assert.False(lease.IsExpired(Beat, Beat));
        Assert.False(lease.IsExpired(Beat, Beat.AddSeconds(60).AddTicks(-1)));
        Assert.True(lease.IsExpired(Beat, Beat.AddSeconds(60)));
        Assert.True(lease.IsExpired(Beat, Beat.AddMinutes(10)));
    }

    [Fact]
    public void ComparesInstantsNotWallClockOffsets()
    {
        var lease = new LeasePolicy(TimeSpan.FromSeconds(60));
        var sameInstantElsewhere = Beat.ToOffset(TimeSpan.FromHours(2)).AddSeconds(59);
        Assert.False(lease.IsExpired(Beat, sameInstantElsewhere));
    }

    [Fact]
    public void RejectsNonPositiveDuration()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeasePolicy(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeasePolicy(TimeSpan.FromSeconds(-1)));
    }
}
