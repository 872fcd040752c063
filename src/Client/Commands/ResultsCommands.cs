using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Client.Results;

namespace StableSnn.Client.Commands;

public sealed class ResultsCommand : CliCommand<SweepSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, SweepSettings settings, CancellationToken cancel)
    {
        var (_, table) = await ResultsView.Load(cluster.Grains, settings.Sweep);
        ResultsView.Print(table);
        return 0;
    }
}

public sealed class ExportCommand : CliCommand<ExportCommand.Settings>
{
    public sealed class Settings : SweepSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for results.csv (long format: one row per experiment and attack), results.json, attempts.csv and slot-timeline.png.")]
        public string Out { get; init; } = ".";
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        var (rows, table) = await ResultsView.Load(cluster.Grains, settings.Sweep);
        Directory.CreateDirectory(settings.Out);
        var csv = Path.Combine(settings.Out, ResultsView.CsvFile);
        var json = Path.Combine(settings.Out, ResultsView.JsonFile);
        ResultsExport.WriteCsv(rows, csv);
        ResultsExport.WriteJson(rows, table, json);
        AnsiConsole.MarkupLine(Markup.Escape($"wrote {csv} and {json} ({rows.Length} experiments)"));
        var (attempts, utilisation) = await ResultsView.LoadUtilisation(cluster.Grains, settings.Sweep);
        if (attempts.Length > 0)
        {
            var attemptsCsv = Path.Combine(settings.Out, ResultsView.AttemptsFile);
            var timeline = Path.Combine(settings.Out, ResultsView.TimelineFile);
            ResultsExport.WriteAttemptsCsv(attempts, attemptsCsv);
            SlotTimeline.Write(attempts, utilisation.From, timeline);
            AnsiConsole.MarkupLine(Markup.Escape($"wrote {attemptsCsv} and {timeline}: {utilisation.Describe()}"));
        }
        return 0;
    }
}

public sealed class PlotCommand : CliCommand<PlotCommand.Settings>
{
    public sealed class Settings : SweepSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("PNG file to write (default robustness-vs-alpha.png).")]
        public string Out { get; init; } = ResultsView.PlotFile;
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        var (_, table) = await ResultsView.Load(cluster.Grains, settings.Sweep);
        if (table.Count == 0) throw new CliException($"sweep '{settings.Sweep}' has no completed experiments to plot yet");
        var info = AlphaPlot.Write(table, settings.Out);
        AnsiConsole.MarkupLine(Markup.Escape($"wrote {info.Path}: {info.Series.Count} series"));
        return 0;
    }
}
