using Spectre.Console;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;

namespace StableSnn.Client.Commands;

public sealed class WatchCommand : CliCommand<SweepSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, SweepSettings settings, CancellationToken cancel)
    {
        var grain = cluster.Grains.GetGrain<ISweepGrain>(settings.Sweep);
        if (await grain.GetSpec() is not { } spec)
            throw new CliException($"sweep '{settings.Sweep}' does not exist; 'stablesnn list' shows the sweeps");
        var s = await SweepWatcher.Follow(cluster.Grains, settings.Sweep, cancel);
        AnsiConsole.MarkupLine(Markup.Escape($"{s.Name}: {SweepWatcher.Summary(s, spec.Search is null ? null : await grain.GetSearch())}"));
        return 0;
    }
}
