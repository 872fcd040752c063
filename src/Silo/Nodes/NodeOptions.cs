namespace StableSnn.Silo.Nodes;

/// <summary>Settings of the node part of a silo (configuration section "Node").</summary>
public sealed class NodeOptions
{
    /// <summary>Node name in slot ids and attempt records; defaults to the host name.</summary>
    public string Name { get; set; } = Environment.MachineName.ToLowerInvariant();
    /// <summary>Slots per GPU found through nvidia-smi (several small experiments can share a large GPU).</summary>
    public int SlotsPerGpu { get; set; } = 1;
    /// <summary>
    /// CPU slots. Unset: none beside GPUs; on a node without GPUs one per core, as many as the node's memory allows at
    /// <see cref="MemoryPerCpuSlotMb"/> each (one 1-thread trainer per core finished the quickstart grid 1.2x sooner than
    /// one trainer with every core: docs/slot-sizing.md). Set explicitly to add CPU slots beside GPUs.
    /// </summary>
    public int? CpuSlots { get; set; }
    /// <summary>Memory budgeted per trainer when the CPU slot count is chosen for the node (MB; a small-cnn trainer peaks near 0.8 GB).</summary>
    public int MemoryPerCpuSlotMb { get; set; } = 2048;
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
