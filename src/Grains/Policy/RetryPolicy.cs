using System.Globalization;
using StableSnn.Grains.Model;

namespace StableSnn.Grains.Policy;

/// <summary>
/// Decides whether a failed attempt is retried. Only failures a new attempt can fix (crash, node problems,
/// interruption, lost lease) are retried; the back-off doubles per attempt so a flapping node is not hammered.
/// </summary>
public sealed class RetryPolicy
{
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromMinutes(5);

    public int MaxAttempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }

    public RetryPolicy(int maxAttempts) : this(maxAttempts, DefaultBaseDelay, DefaultMaxDelay) { }

    public RetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        (MaxAttempts, BaseDelay, MaxDelay) = (maxAttempts, baseDelay, maxDelay);
    }

    /// <param name="reason">How the attempt ended.</param>
    /// <param name="attemptsMade">Attempts made so far, including the one that just ended (1 after the first).</param>
    public RetryDecision Decide(ExitReason reason, int attemptsMade)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        var noun = reason switch
        {
            ExitReason.Crash => "crash",
            ExitReason.Environment => "environment failure",
            ExitReason.Interrupted => "interruption",
            ExitReason.LeaseExpired => "lease expiry",
            _ => null, // Success, BadInput, Diverged, Cancelled: another attempt would end the same way.
        };
        if (noun is null) return new RetryDecision(false, TimeSpan.Zero, FinalWhy(reason));
        if (attemptsMade >= MaxAttempts)
            return new RetryDecision(false, TimeSpan.Zero, $"{noun} on attempt {attemptsMade} of {MaxAttempts}; no attempts left");
        var delay = DelayAfter(attemptsMade);
        return new RetryDecision(true, delay, $"{noun} on attempt {attemptsMade} of {MaxAttempts}; retrying in {Describe(delay)}");
    }

    /// <summary>BaseDelay * 2^(attemptsMade-1), capped at MaxDelay; computed in ticks without overflow.</summary>
    public TimeSpan DelayAfter(int attemptsMade)
    {
        var doublings = Math.Max(0, attemptsMade - 1);
        var ticks = BaseDelay.Ticks;
        if (ticks == 0) return TimeSpan.Zero;
        if (doublings >= 62 || ticks > MaxDelay.Ticks >> doublings) return MaxDelay;
        return TimeSpan.FromTicks(ticks << doublings);
    }

    private static string FinalWhy(ExitReason reason) => reason switch
    {
        ExitReason.Success => "success is not retried: the experiment is complete",
        ExitReason.BadInput => "bad input is not retried: fix the spec",
        ExitReason.Diverged => "divergence is not retried: the loss became NaN or infinite; change the spec (e.g. a lower learning rate)",
        ExitReason.Cancelled => "cancellation is not retried: the experiment or its sweep was cancelled",
        _ => $"exit reason {reason} is not retried: it is not known to be transient",
    };

    /// <summary>"500 ms", "10 s", "5 min", "2 min 40 s": readable in a status line.</summary>
    private static string Describe(TimeSpan delay)
    {
        if (delay < TimeSpan.FromSeconds(1)) return $"{(long)delay.TotalMilliseconds} ms";
        var seconds = (long)delay.TotalSeconds;
        if (seconds < 60) return string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.###} s");
        var (minutes, rest) = (seconds / 60, seconds % 60);
        return rest == 0 ? $"{minutes} min" : $"{minutes} min {rest} s";
    }
}
