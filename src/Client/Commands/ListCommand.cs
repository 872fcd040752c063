using Spectre.Console;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

public sealed class ListCommand : CliCommand<ClusterSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, ClusterSettings settings, CancellationToken cancel)
    {
        var names = await cluster.Grains.SweepRegistry().List();
        // stopped: search trials paused at a rung (checkpoint kept); without it a search's counts would not add up.
        var table = new Table().AddColumns("sweep", "status", "completed", "stopped", "failed", "running", "waiting", "total", "submitted");
        foreach (var name in names)
        {
            var s = await cluster.Grains.GetGrain<ISweepGrain>(name).GetSnapshot();
            table.AddRow(Markup.Escape(name), s.Status.ToString(), $"{s.Count(ExperimentPhase.Completed)}", $"{s.Count(ExperimentPhase.Stopped)}",
                $"{s.Count(ExperimentPhase.Failed)}",
                $"{s.Running}", $"{s.Waiting}", $"{s.Total}", $"{s.SubmittedAt:u}");
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
