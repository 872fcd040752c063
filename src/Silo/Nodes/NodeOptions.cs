namespace StableSnn.Silo.Nodes;

/// <summary>Settings of the node part of a silo (configuration section "Node").</summary>
public sealed class NodeOptions
{
    /// <summary>Node name in slot ids and attempt records; defaults to the host name.</summary>
    public string Name { get; set; } = Environment.MachineName.ToLowerInvariant();
    /// <summary>Slots per GPU found through nvidia-smi (several small experiments can share a large GPU).</summary>
    public int SlotsPerGpu { get; set; } = 1;
    /// <summary>CPU slots when no GPU is found (0: none); set explicitly to add CPU slots beside GPUs.</summary>
    public int? CpuSlots { get; set; }
    /// <summary>Intra-op threads per CPU slot; 0 divides the cores evenly.</summary>
    public int ThreadsPerCpuSlot { get; set; }
    /// <summary>Shared directory for checkpoints and results (a ReadWriteMany volume on a cluster).</summary>
    public string ArtifactRoot { get; set; } = Path.Combine(AppContext.BaseDirectory, "artifacts");
    /// <summary>"process" launches the trainer executable; "fake" is the instant trainer for load tests.</summary>
    public string Trainer { get; set; } = "process";
    /// <summary>Trainer executable; defaults to StableSnn.Trainer next to the silo, else this checkout's build of it.</summary>
    public string? TrainerPath { get; set; }
    /// <summary>How often the node reports to the scheduler when nothing happens (heartbeat; well under the lease).</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>A trainer that prints nothing for this long is hung: it is killed and the attempt counts as a crash.</summary>
    public TimeSpan HangTimeout { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Minimum time between progress relays of one attempt (phase changes go at once).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);
}
