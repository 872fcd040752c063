using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;

namespace StableSnn.Grains.Tests.Policy;

public class RetryPolicyTests
{
    [Theory]
    [InlineData(ExitReason.Success, "success is not retried")]
    [InlineData(ExitReason.BadInput, "bad input is not retried: fix the spec")]
    [InlineData(ExitReason.Diverged, "divergence is not retried")]
    [InlineData(ExitReason.Cancelled, "cancellation is not retried")]
    public void FinalReasonsAreNeverRetried(ExitReason reason, string why)
    {
        var decision = new RetryPolicy(20).Decide(reason, 1);
        Assert.False(decision.Retry);
        Assert.Equal(TimeSpan.Zero, decision.Delay);
        Assert.StartsWith(why, decision.Why);
    }

    /// <summary>The trainer's exit codes, through the engine's mapping: only what another attempt can change is retried.</summary>
    [Theory]
    [InlineData(ExitCodes.Success, false)]
    [InlineData(ExitCodes.BadInput, false)]
    [InlineData(ExitCodes.Diverged, false)]
    [InlineData(ExitCodes.RungReached, false)]
    [InlineData(ExitCodes.Crash, true)]
    [InlineData(ExitCodes.Environment, true)]
    [InlineData(ExitCodes.Interrupted, true)]
    [InlineData(137, true)] // killed by SIGKILL: a crash
    public void ExitCodesAreRetriedOnlyWhenAnotherAttemptCanEndDifferently(int exitCode, bool retried) =>
        Assert.Equal(retried, new RetryPolicy(3).Decide(ExitReasons.FromExitCode(exitCode), 1).Retry);

    [Theory]
    [InlineData(ExitReason.Crash)]
    [InlineData(ExitReason.Environment)]
    [InlineData(ExitReason.Interrupted)]
    [InlineData(ExitReason.LeaseExpired)]
    public void TransientReasonsAreRetriedWhileAttemptsRemain(ExitReason reason)
    {
        var policy = new RetryPolicy(3);
        Assert.True(policy.Decide(reason, 1).Retry);
        Assert.True(policy.Decide(reason, 2).Retry);
        var last = policy.Decide(reason, 3);
        Assert.False(last.Retry);
        Assert.EndsWith("on attempt 3 of 3; no attempts left", last.Why);
        Assert.False(policy.Decide(reason, 4).Retry);
    }

    [Fact]
    public void WhyIsASentence()
    {
        var policy = new RetryPolicy(3);
        Assert.Equal("crash on attempt 1 of 3; retrying in 5 s", policy.Decide(ExitReason.Crash, 1).Why);
        Assert.Equal("crash on attempt 2 of 3; retrying in 10 s", policy.Decide(ExitReason.Crash, 2).Why);
        Assert.Equal("lease expiry on attempt 1 of 3; retrying in 5 s", policy.Decide(ExitReason.LeaseExpired, 1).Why);
        Assert.Equal("environment failure on attempt 2 of 3; retrying in 10 s", policy.Decide(ExitReason.Environment, 2).Why);
        Assert.Equal("bad input is not retried: fix the spec", policy.Decide(ExitReason.BadInput, 1).Why);
    }

    [Fact]
    public void BackOffDoublesFromFiveSecondsAndCapsAtFiveMinutes()
    {
        var policy = new RetryPolicy(20);
        var delays = Enumerable.Range(1, 9).Select(n => policy.Decide(ExitReason.Crash, n).Delay.TotalSeconds).ToArray();
        Assert.Equal([5, 10, 20, 40, 80, 160, 300, 300, 300], delays);
        Assert.Equal("crash on attempt 6 of 20; retrying in 2 min 40 s", policy.Decide(ExitReason.Crash, 6).Why);
        Assert.Equal("crash on attempt 7 of 20; retrying in 5 min", policy.Decide(ExitReason.Crash, 7).Why);
    }

    [Fact]
    public void BackOffDoesNotOverflowForManyAttempts()
    {
        var policy = new RetryPolicy(int.MaxValue, TimeSpan.FromDays(1), TimeSpan.MaxValue);
        Assert.Equal(TimeSpan.MaxValue, policy.DelayAfter(100));
        Assert.Equal(TimeSpan.FromDays(2), policy.DelayAfter(2));
        Assert.Equal(TimeSpan.Zero, new RetryPolicy(5, TimeSpan.Zero, TimeSpan.Zero).DelayAfter(3));
    }

    [Fact]
    public void CustomDelaysAndSubSecondWording()
    {
        var policy = new RetryPolicy(4, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));
        Assert.Equal("interruption on attempt 1 of 4; retrying in 250 ms", policy.Decide(ExitReason.Interrupted, 1).Why);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.Decide(ExitReason.Interrupted, 3).Delay);
    }

    [Fact]
    public void RejectsNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(3, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(3).Decide(ExitReason.Crash, 0));
    }
}
