using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;

namespace StableSnn.Client.Commands;

/// <summary>cancel / pause / resume / retry-failed: one call on the sweep grain each.</summary>
public abstract class SweepControlCommand : CliCommand<SweepSettings>
{
    protected abstract Task<string> Apply(ISweepGrain sweep);

    protected override async Task<int> Run(ClusterConnection cluster, SweepSettings settings, CancellationToken cancel)
    {
        var sweep = cluster.Grains.GetGrain<ISweepGrain>(settings.Sweep);
        if (await sweep.GetSpec() is null) throw new CliException($"sweep '{settings.Sweep}' does not exist; 'stablesnn list' shows the sweeps");
        AnsiConsole.MarkupLine(Markup.Escape(await Apply(sweep)));
        return 0;
    }
}

public sealed class CancelCommand : SweepControlCommand
{
    protected override async Task<string> Apply(ISweepGrain sweep) { await sweep.Cancel(); return "cancelled; running attempts stop at their next report"; }
}

public sealed class PauseCommand : SweepControlCommand
{
    protected override async Task<string> Apply(ISweepGrain sweep) { await sweep.Pause(); return "paused; running attempts finish, nothing new starts"; }
}

public sealed class ResumeCommand : SweepControlCommand
{
    protected override async Task<string> Apply(ISweepGrain sweep) { await sweep.Resume(); return "resumed"; }
}

public sealed class RetryFailedCommand : SweepControlCommand
{
    protected override async Task<string> Apply(ISweepGrain sweep) => $"{await sweep.RetryFailed()} failed experiments queued again";
}
