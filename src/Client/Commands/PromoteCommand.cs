using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

/// <summary>
/// `stablesnn promote KEY`: repechage for a search trial stopped at a rung. It resumes from its checkpoint and trains
/// to the next rung, whatever the rung (or its paired test) decided; a finished search runs again until it is done.
/// </summary>
public sealed class PromoteCommand : CliCommand<PromoteCommand.Settings>
{
    public sealed class Settings : ClusterSettings
    {
        [CommandArgument(0, "<TRIAL>")]
        [Description("The stopped trial's experiment key, e.g. search-asha/fashion-mnist/small-cnn/dlif/at/t003-a0.5/s42 ('stablesnn results SWEEP' lists them).")]
        public string Trial { get; init; } = "";
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        if (GridPoint.SplitKey(settings.Trial) is not var (sweepName, _))
            throw new CliException($"trial: '{settings.Trial}' is not an experiment key (sweep/dataset/architecture/neuron/mode/tNNN-aALPHA/sSEED)");
        var sweep = cluster.Grains.GetGrain<ISweepGrain>(sweepName);
        if (await sweep.GetSpec() is null) throw new CliException($"sweep '{sweepName}' does not exist; 'stablesnn list' shows the sweeps");
        string decision;
        try { decision = await sweep.Promote(settings.Trial); }
        catch (InvalidOperationException e) { throw new CliException($"trial: {e.Message}"); }
        AnsiConsole.MarkupLine(Markup.Escape($"{settings.Trial}: {decision}; it resumes from its checkpoint ('stablesnn watch {sweepName}')"));
        return 0;
    }
}
