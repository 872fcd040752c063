using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>Why an attempt ended. The trainer's exit code gives the first six; the engine adds the rest.</summary>
[GenerateSerializer, Alias("StableSnn.ExitReason")]
public enum ExitReason
{
    Success,
    /// <summary>Unexpected trainer failure (exit 1, or killed by a signal): retried.</summary>
    Crash,
    /// <summary>Spec, dataset or checkpoint unusable (exit 2): not retried.</summary>
    BadInput,
    /// <summary>NaN/infinite loss (exit 3): not retried.</summary>
    Diverged,
    /// <summary>The node lacks something (exit 4): retried, preferably elsewhere.</summary>
    Environment,
    /// <summary>Stopped by SIGTERM, e.g. a draining node (exit 130): retried, resumes from its checkpoint.</summary>
    Interrupted,
    /// <summary>No heartbeat within the lease: the node or process is gone or hung. Retried.</summary>
    LeaseExpired,
    /// <summary>Stopped because the experiment or its sweep was cancelled.</summary>
    Cancelled,
    /// <summary>Paused at a search rung as asked (exit 5): its rung measurement goes to the search, not a failure.</summary>
    RungReached,
}

public static class ExitReasons
{
    /// <summary>Ended as asked: finished, or paused at its search rung. Anything else was interrupted (or failed).</summary>
    public static bool EndedAsAsked(this ExitReason reason) => reason is ExitReason.Success or ExitReason.RungReached;

    /// <summary>The trainer's exit code (<see cref="ExitCodes"/>) as an exit reason; anything unknown, such as
    /// 128 + n for a process killed by signal n, is a crash.</summary>
    public static ExitReason FromExitCode(int exitCode) => exitCode switch
    {
        ExitCodes.Success => ExitReason.Success,
        ExitCodes.BadInput => ExitReason.BadInput,
        ExitCodes.Diverged => ExitReason.Diverged,
        ExitCodes.Environment => ExitReason.Environment,
        ExitCodes.Interrupted => ExitReason.Interrupted,
        ExitCodes.RungReached => ExitReason.RungReached,
        _ => ExitReason.Crash,
    };
}
