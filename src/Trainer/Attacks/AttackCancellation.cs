namespace StableSnn.Trainer.Attacks;

/// <summary>
/// The cancellation the evaluator runs under, for the attacks' own iteration loops: at AutoAttack budgets one batch of
/// Square or APGD-T can take minutes, and a node stopping an attempt (SIGTERM) should not wait for it. Thread-static
/// like the surrogate override (attacks do their tensor work on the calling thread).
/// </summary>
public static class AttackCancellation
{
    [ThreadStatic] static CancellationToken current;

    public static IDisposable Use(CancellationToken cancel)
    {
        var previous = current;
        current = cancel;
        return new Restore(previous);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when the evaluation was cancelled.</summary>
    public static void ThrowIfRequested() => current.ThrowIfCancellationRequested();

    sealed class Restore(CancellationToken previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }
}
