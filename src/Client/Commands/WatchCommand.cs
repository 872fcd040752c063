using Spectre.Console;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;

namespace StableSnn.Client.Commands;

public sealed class WatchCommand : CliCommand<SweepSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, SweepSettings settings, CancellationToken cancel)
    {
        if (await cluster.Grains.GetGrain<ISweepGrain>(settings.Sweep).GetSpec() is null)
            throw new CliException($"sweep '{settings.Sweep}' does not exist; 'stablesnn list' shows the sweeps");
        var s = await SweepWatcher.Follow(cluster.Grains, settings.Sweep, cancel);
        AnsiConsole.MarkupLine(Markup.Escape($"{s.Name}: {SweepWatcher.Summary(s)}"));
        return 0;
    }
}
