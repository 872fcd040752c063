using System.Diagnostics;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// What the evaluator asks of an attack's own iteration loop: stop when the evaluation is cancelled, and say how far
/// it is. At AutoAttack budgets one batch of Square or APGD-T can take many minutes, so a node stopping an attempt
/// (SIGTERM) should not wait for the batch, and the progress view should not stand still. Thread-static like the
/// surrogate override (attacks do their tensor work on the calling thread).
/// </summary>
public static class AttackLoop
{
    [ThreadStatic] static CancellationToken cancel;
    [ThreadStatic] static Action<long, long>? onIteration;
    [ThreadStatic] static Stopwatch? sinceReport;
    [ThreadStatic] static TimeSpan every;

    /// <param name="iteration">Called with (iterations done, iterations in all) at most once per <paramref name="reportEvery"/>.</param>
    public static IDisposable Use(CancellationToken cancellation, Action<long, long>? iteration = null, TimeSpan reportEvery = default)
    {
        var restore = new Restore(cancel, onIteration, sinceReport, every);
        cancel = cancellation;
        onIteration = iteration;
        every = reportEvery;
        sinceReport = iteration is null ? null : Stopwatch.StartNew();
        return restore;
    }

    /// <summary>One iteration of the attack's loop: throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    public static void Step(long done, long total)
    {
        cancel.ThrowIfCancellationRequested();
        if (onIteration is null || sinceReport!.Elapsed < every) return;
        sinceReport.Restart();
        onIteration(done, total);
    }

    sealed class Restore(CancellationToken previous, Action<long, long>? previousIteration, Stopwatch? previousClock, TimeSpan previousEvery)
        : IDisposable
    {
        public void Dispose()
        {
            cancel = previous;
            onIteration = previousIteration;
            sinceReport = previousClock;
            every = previousEvery;
        }
    }
}
