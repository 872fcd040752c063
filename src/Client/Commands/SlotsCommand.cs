using Spectre.Console;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;

namespace StableSnn.Client.Commands;

/// <summary>Every slot the scheduler knows: node, kind, device, what it runs and since when, last heartbeat.</summary>
public sealed class SlotsCommand : CliCommand<ClusterSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, ClusterSettings settings, CancellationToken cancel)
    {
        var scheduler = await cluster.Grains.GetGrain<ISchedulerGrain>("default").GetSnapshot();
        if (scheduler.Slots.Length == 0) await Task.Delay(TimeSpan.FromSeconds(3), cancel); // a fresh embedded node reports within its first interval
        scheduler = await cluster.Grains.GetGrain<ISchedulerGrain>("default").GetSnapshot();
        var table = new Table().AddColumns("node", "slot", "kind", "device", "threads", "running", "since", "last seen");
        foreach (var s in scheduler.Slots)
            table.AddRow(Markup.Escape(s.Node), Markup.Escape(s.Slot.Id), s.Slot.Kind, s.Slot.Device, $"{s.Slot.Threads}",
                Markup.Escape(s.ExperimentKey ?? "-"), s.Since is { } since ? $"{since:HH:mm:ss}" : "-", $"{s.LastSeen:HH:mm:ss}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{scheduler.Leases} leases held; {scheduler.LeasesGranted} granted and {scheduler.LeasesExpired} expired since the scheduler started");
        return 0;
    }
}
