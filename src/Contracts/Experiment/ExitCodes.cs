namespace StableSnn.Contracts;

/// <summary>Process exit codes of the trainer; the engine maps them to exit reasons, and its retry policy decides from those.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Unexpected failure (bug, out of memory, device error): retryable.</summary>
    public const int Crash = 1;
    /// <summary>Spec, dataset or checkpoint unusable: retrying the same input cannot help.</summary>
    public const int BadInput = 2;
    /// <summary>Loss became NaN or infinite: not retried.</summary>
    public const int Diverged = 3;
    /// <summary>The machine lacks something the trainer needs (tcmalloc, CUDA): fix the node, then retry.</summary>
    public const int Environment = 4;
    /// <summary>Stopped at the spec's stopAtEpoch as asked, after its checkpoint and rung report: not a failure.</summary>
    public const int RungReached = 5;
    /// <summary>Stopped by a signal (SIGTERM/SIGINT) after saving what it could: resumable.</summary>
    public const int Interrupted = 130;
}
