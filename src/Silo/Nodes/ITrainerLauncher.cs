using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Silo.Nodes;

/// <summary>What a launcher needs to run one attempt.</summary>
public sealed record AttemptContext(LeaseRef Lease, AttemptTicket Ticket, SlotInfo Slot, string ArtifactDirectory);

/// <summary>Runs one experiment attempt to its end. Progress callbacks return false when the attempt must stop.</summary>
public interface ITrainerLauncher
{
    Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop);
}
