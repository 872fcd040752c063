using StableSnn.Contracts;
using System.Diagnostics;
using StableSnn.Grains.Model;

namespace StableSnn.Silo.Nodes;

/// <summary>Finds this node's slots: GPUs through the driver (nvidia-smi), else CPU slots.</summary>
public static class SlotDiscovery
{
    // The GC's view of available memory honours a container's cgroup limit, unlike /proc/meminfo.
    public static IReadOnlyList<SlotInfo> Discover(NodeOptions options) =>
        Build(options, QueryGpus(), Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024));

    /// <summary>Pure part: slot list from GPU indices, core count and the node's memory (MB).</summary>
    public static IReadOnlyList<SlotInfo> Build(NodeOptions options, IReadOnlyList<int> gpus, int cores, long memoryMb = long.MaxValue)
    {
        var slots = new List<SlotInfo>();
        foreach (var gpu in gpus)
            for (int s = 0; s < options.SlotsPerGpu; s++)
                slots.Add(new SlotInfo($"{options.Name}/gpu{gpu}-{s}", Vocabulary.GpuSlot, $"cuda:{gpu}", 0));
        int cpuSlots = options.CpuSlots ?? (gpus.Count == 0
            ? (int)Math.Clamp(memoryMb / Math.Max(1, options.MemoryPerCpuSlotMb), 1, Math.Max(1, cores))
            : 0);
        int threads = options.ThreadsPerCpuSlot > 0 ? options.ThreadsPerCpuSlot : Math.Max(1, cores / Math.Max(1, cpuSlots));
        for (int c = 0; c < cpuSlots; c++)
            slots.Add(new SlotInfo($"{options.Name}/cpu{c}", Vocabulary.CpuSlot, "cpu", threads));
        return slots;
    }

    static IReadOnlyList<int> QueryGpus()
    {
        try
        {
            using var smi = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=index --format=csv,noheader")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (smi is null) return [];
            var output = smi.StandardOutput.ReadToEnd();
            smi.WaitForExit(10_000);
            return smi.ExitCode != 0 ? [] : output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => int.TryParse(l.Trim(), out var i) ? i : -1).Where(i => i >= 0).ToList();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return []; // no NVIDIA driver on this node
        }
    }
}
