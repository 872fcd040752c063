using Spectre.Console;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;

namespace StableSnn.Client.Commands;

/// <summary>Every slot the scheduler knows: node, kind, device, what it runs and since when, last heartbeat.</summary>
public sealed class SlotsCommand : CliCommand<ClusterSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, ClusterSettings settings, CancellationToken cancel)
    {
        var scheduler = await cluster.Grains.Scheduler().GetSnapshot();
        if (scheduler.Slots.Length == 0) await Task.Delay(TimeSpan.FromSeconds(3), cancel); // a fresh embedded node reports within its first interval
        scheduler = await cluster.Grains.Scheduler().GetSnapshot();
        var table = new Table().AddColumns("node", "slot", "kind", "device", "threads", "running", "since", "last seen");
        foreach (var s in scheduler.Slots)
            table.AddRow(Markup.Escape(s.Node), Markup.Escape(s.Slot.Id), s.Slot.Kind, s.Slot.Device, $"{s.Slot.Threads}",
                Markup.Escape(s.ExperimentKey ?? "-"), s.Since is { } since ? $"{since:HH:mm:ss}" : "-", $"{s.LastSeen:HH:mm:ss}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{scheduler.Leases} leases held; {scheduler.LeasesGranted} granted and {scheduler.LeasesExpired} expired since the scheduler started");
        foreach (var node in scheduler.Slots.GroupBy(s => s.Node))
            AnsiConsole.MarkupLine(Markup.Escape(Layout(node.Key, node.Select(s => s.Slot).ToList())));
        AnsiConsole.MarkupLine("How to size a node (slots, threads, memory per trainer, trainers per GPU): docs/slot-sizing.md");
        return 0;
    }

    /// <summary>One line per node: its layout, and the measured advice when a CPU slot runs several threads.</summary>
    static string Layout(string node, List<Grains.Model.SlotInfo> slots)
    {
        var cpu = slots.Where(s => s.Kind == Contracts.Vocabulary.CpuSlot).ToList();
        var parts = new List<string>();
        if (cpu.Count > 0)
            parts.Add($"{cpu.Count} CPU slot{(cpu.Count == 1 ? "" : "s")} x {cpu.Max(s => s.Threads)} thread{(cpu.Max(s => s.Threads) == 1 ? "" : "s")}");
        foreach (var gpu in slots.Where(s => s.Kind != Contracts.Vocabulary.CpuSlot).GroupBy(s => s.Device))
            parts.Add($"{gpu.Count()} trainer{(gpu.Count() == 1 ? "" : "s")} on {gpu.Key}");
        var line = $"{node}: {string.Join(", ", parts)}";
        if (cpu.Count > 0 && cpu.Max(s => s.Threads) > 1)
            line += $" (one 1-thread slot per core finished the quickstart grid 1.2x sooner: --cpu-slots {cpu.Count * cpu.Max(s => s.Threads)} " +
                    "--threads-per-slot 1, or Node__CpuSlots / Node__ThreadsPerCpuSlot, if memory allows a trainer per core)";
        return line;
    }
}
