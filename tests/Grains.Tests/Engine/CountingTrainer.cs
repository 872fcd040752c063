using StableSnn.Contracts;
using System.Collections.Concurrent;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

namespace StableSnn.Grains.Tests.Engine;

/// <summary>The instant fake trainer, counting how often each experiment was started and how many ran at once.</summary>
public sealed class CountingTrainer(Func<LeaseRef, int, FakeAction>? behaviour = null, TimeSpan? workTime = null) : ITrainerLauncher
{
    readonly InstantFakeTrainer _inner = new(behaviour);
    int _running;

    public ConcurrentDictionary<string, int> Starts { get; } = new();
    public ConcurrentBag<string> ArtifactDirectories { get; } = [];
    public int MaxConcurrent { get; private set; }
    public int Running => Volatile.Read(ref _running);

    public Func<LeaseRef, int, FakeAction> Behaviour { get => _inner.Behaviour; set => _inner.Behaviour = value; }

    public async Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop)
    {
        Starts.AddOrUpdate(context.Lease.ExperimentKey, 1, (_, n) => n + 1);
        ArtifactDirectories.Add(context.ArtifactDirectory);
        int now = Interlocked.Increment(ref _running);
        lock (this) MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            if (workTime is { } t)
            {
                // Report progress like the trainer does, so a cancelled experiment stops its attempt.
                var until = DateTime.UtcNow + t;
                while (DateTime.UtcNow < until)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(20, t.TotalMilliseconds)), stop);
                    if (!await progress(new ProgressEvent { Phase = TrainerPhase.Epoch, Epoch = 1 }))
                        return new AttemptEnd(ExitReason.Cancelled, null, "stopped");
                }
            }
            if (Behaviour(context.Lease, context.Ticket.AttemptNumber) == FakeAction.Hang)
            {
                while (await progress(new ProgressEvent { Phase = TrainerPhase.Train })) await Task.Delay(20, stop);
                return new AttemptEnd(ExitReason.Cancelled, null, "stopped");
            }
            return await _inner.RunAsync(context, progress, stop);
        }
        catch (OperationCanceledException)
        {
            return new AttemptEnd(ExitReason.Interrupted, null, "node stopping");
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
