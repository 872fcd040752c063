using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Silo.Nodes;

/// <summary>What the fake trainer does with one attempt.</summary>
public enum FakeAction { Succeed, Crash, BadInput, Hang }

/// <summary>
/// A trainer that finishes at once (or crashes, or hangs until stopped), to load-test and exercise the scheduler
/// without TorchSharp. The outcome is derived from the grid point so aggregation can be checked.
/// </summary>
public sealed class InstantFakeTrainer(Func<LeaseRef, int, FakeAction>? behaviour = null) : ITrainerLauncher
{
    public Func<LeaseRef, int, FakeAction> Behaviour { get; set; } = behaviour ?? ((_, _) => FakeAction.Succeed);

    public async Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop)
    {
        switch (Behaviour(context.Lease, context.Ticket.AttemptNumber))
        {
            case FakeAction.Crash:
                return new AttemptEnd(ExitReason.Crash, null, "fake crash");
            case FakeAction.BadInput:
                return new AttemptEnd(ExitReason.BadInput, null, "fake bad input");
            case FakeAction.Hang:
                try { await Task.Delay(Timeout.Infinite, stop); } catch (OperationCanceledException) { }
                return new AttemptEnd(ExitReason.Interrupted, null, "fake hang stopped");
        }
        // A search trial asked to stop at a rung pauses there, as the real trainer does (exit 5 with its rung file).
        var spec = context.Ticket.Spec;
        if (spec.StopAtEpoch is { } rung)
        {
            double score = 0.5 - 0.001 * context.Lease.Index % 100 + 0.01 * rung;
            return new AttemptEnd(ExitReason.RungReached, null, $"fake rung at epoch {rung}")
            {
                Rung = new RungMeasurement
                {
                    Epoch = rung, ValidationAccuracy = 0.9, ProbeCleanAccuracy = 0.9, ProbeRobustAccuracy = score, ProbeExamples = 256,
                    ProbeAttack = "APGD-CE-adaptive-10+Square-100", Epsilon = spec.Probe?.Epsilon ?? 8 / 255.0,
                },
            };
        }
        // One epoch event, as the real trainer prints after each epoch (throughput and epoch metrics see it).
        if (!await progress(new ProgressEvent { Phase = TrainerPhase.Epoch, Epoch = 1, Epochs = 1, ImagesPerSecond = 1000 + context.Lease.Index }))
            return new AttemptEnd(ExitReason.Cancelled, null, "fake stopped");
        // Accuracy falls with alpha's index so tests can check aggregation by grid point.
        double clean = 0.9 - 0.001 * context.Lease.Index % 100;
        var outcome = new ExperimentOutcome
        {
            CleanAccuracy = clean,
            Attacks = [new AttackAccuracy("PGD-7", 8 / 255.0, clean / 2, 100, false)],
            Checkpoint = Path.Combine(context.ArtifactDirectory, "best", "model.bin"),
        };
        return new AttemptEnd(ExitReason.Success, outcome, null);
    }
}
