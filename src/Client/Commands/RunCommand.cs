using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

/// <summary>
/// The main job: submit (or pick up again: an interrupted run resumes the same sweep), watch until done, print the
/// table, write results.csv, results.json, the plots and report.html (and a search's files). Exit 0 only if every
/// experiment completed, or for a search, stopped at a rung.
/// </summary>
public sealed class RunCommand : SpecCommand<RunCommand.RunSettings>
{
    public sealed class RunSettings : SpecSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Where to write results.csv, results.json, robustness-vs-alpha.png, attempts.csv, slot-timeline.png, report.html and a search's search-trials.csv, pareto.csv, search.png and pareto.png (default: results/<sweep name>).")]
        public string? Out { get; init; }
    }

    public const int Incomplete = 1, Interrupted = 130;

    protected override async Task<int> Run(ClusterConnection cluster, RunSettings settings, CancellationToken cancel)
    {
        var spec = Spec!;
        var submitted = await Submit(cluster, spec);
        AnsiConsole.MarkupLine(Markup.Escape(spec.Search is { } s
            ? $"sweep '{spec.Name}': search ({s.Algorithm}), {submitted.Total} trials so far ({submitted.Terminal} finished) on the {cluster.Description}"
            : $"sweep '{spec.Name}': {submitted.Total} experiments ({submitted.Terminal} already finished) on the {cluster.Description}"));
        var final = await SweepWatcher.Follow(cluster.Grains, spec.Name, cancel);
        if (!final.IsFinished)
        {
            AnsiConsole.MarkupLine("[yellow]interrupted[/]: the sweep's state is saved; run the same command again to resume it.");
            return Interrupted;
        }

        var data = await ResultsView.LoadAll(cluster.Grains, spec.Name);
        ResultsView.Print(data.Table, data.Spec.BaselineAlpha);
        if (data.Search is { } search) SearchView.Print(search);
        var outDir = settings.Out ?? Path.Combine("results", spec.Name);
        foreach (var file in ResultsView.Write(data, outDir)) AnsiConsole.MarkupLine($"wrote {Markup.Escape(file)}");
        AnsiConsole.MarkupLine(Markup.Escape(SweepWatcher.Summary(final, data.Search)));
        AnsiConsole.MarkupLine(Markup.Escape(data.Utilisation.Describe()));
        // A search ends with trials stopped at rungs by design: only failed or cancelled ones make the run incomplete.
        int succeeded = final.Count(ExperimentPhase.Completed) + (data.Search is null ? 0 : final.Count(ExperimentPhase.Stopped));
        if (succeeded == final.Total) return 0;

        var sweep = cluster.Grains.GetGrain<ISweepGrain>(spec.Name);
        foreach (var key in await sweep.ListExperiments(ExperimentPhase.Failed, 20))
        {
            var e = await cluster.Grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
            AnsiConsole.MarkupLine(Markup.Escape($"failed: {key}: {e.Why} ({e.Attempts.LastOrDefault()?.Message})"));
        }
        return Incomplete;
    }
}
