using System.Collections.Concurrent;
using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

namespace StableSnn.Grains.Tests.Engine;

/// <summary>
/// A fake trainer for searches. Robust accuracy peaks at alpha 0.5 and grows with epochs; the epochs each experiment
/// has trained are kept like a checkpoint, so a test can check that a promoted trial never trains an epoch twice.
/// </summary>
public sealed class SearchTrainer(TimeSpan workTime) : ITrainerLauncher
{
    int _running;

    /// <summary>Every finished run: experiment, epochs before, epochs after.</summary>
    public ConcurrentQueue<(string Key, int From, int To)> Runs { get; } = new();
    public ConcurrentDictionary<string, int> Trained { get; } = new();
    public int MaxConcurrent { get; private set; }

    public static double Robust(double alpha, int epochs) =>
        Math.Round(0.45 - 0.05 * Math.Pow(Math.Log10(alpha + 1e-3) - Math.Log10(0.5), 2) + 0.01 * epochs, 4);

    public static double Clean(double alpha) => Math.Round(0.9 - 0.02 * alpha, 4);

    public async Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop)
    {
        var spec = context.Ticket.Spec;
        var key = context.Lease.ExperimentKey;
        int from = Trained.GetValueOrDefault(key), to = spec.StopAtEpoch ?? spec.Epochs;
        int now = Interlocked.Increment(ref _running);
        lock (this) MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            await Task.Delay(workTime, stop);
            if (!await progress(new ProgressEvent { Phase = TrainerPhase.Epoch, Epoch = to, Epochs = spec.Epochs }))
                return new AttemptEnd(ExitReason.Cancelled, null, "stopped");
        }
        catch (OperationCanceledException)
        {
            return new AttemptEnd(ExitReason.Interrupted, null, "node stopping"); // nothing trained: the checkpoint stays
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
        Runs.Enqueue((key, from, to));
        Trained[key] = to;
        double robust = Robust(spec.Alpha, to), clean = Clean(spec.Alpha);
        if (spec.StopAtEpoch is not null)
            return new AttemptEnd(ExitReason.RungReached, null, null)
            {
                Rung = new RungMeasurement
                {
                    Epoch = to, ValidationAccuracy = clean, ProbeCleanAccuracy = clean, ProbeRobustAccuracy = robust, ProbeExamples = 256,
                    ProbeAttack = "PGD-10", Epsilon = spec.Probe!.Epsilon,
                },
            };
        return new AttemptEnd(ExitReason.Success, new ExperimentOutcome
        {
            CleanAccuracy = clean, Examples = 1000,
            WorstCases = [new AttackAccuracy("worst-case", 8 / 255.0, robust, 1000, false)],
            Attacks = [new AttackAccuracy("PGD-20", 8 / 255.0, robust + 0.02, 1000, false)],
            Checkpoint = Path.Combine(context.ArtifactDirectory, "best", "model.bin"),
        }, null);
    }
}
