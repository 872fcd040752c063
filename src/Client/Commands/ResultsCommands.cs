using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Client.Results;
using StableSnn.Grains.Interfaces;

namespace StableSnn.Client.Commands;

public sealed class ResultsCommand : CliCommand<ResultsCommand.Settings>
{
    public sealed class Settings : SweepSettings
    {
        [CommandOption("--long")]
        [Description("One line per grid point and measure (with the standard deviation over seeds) instead of the pivot.")]
        public bool Long { get; init; }
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        var (_, table, spec) = await ResultsView.Load(cluster.Grains, settings.Sweep);
        if (settings.Long) ResultsView.PrintLong(table);
        else ResultsView.Print(table, spec.BaselineAlpha);
        if (await cluster.Grains.GetGrain<ISweepGrain>(settings.Sweep).GetSearch() is { } search) SearchView.Print(search);
        return 0;
    }
}

public sealed class ExportCommand : CliCommand<ExportCommand.Settings>
{
    public sealed class Settings : SweepSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for results.csv (long format: one row per experiment and attack), results.json, robustness-vs-alpha.png, attempts.csv, slot-timeline.png, report.html and, for a search, search-trials.csv, pareto.csv, search.png and pareto.png.")]
        public string Out { get; init; } = ".";
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        var data = await ResultsView.LoadAll(cluster.Grains, settings.Sweep);
        foreach (var file in ResultsView.Write(data, settings.Out)) AnsiConsole.MarkupLine($"wrote {Markup.Escape(file)}");
        AnsiConsole.MarkupLine(Markup.Escape($"{data.Rows.Length} experiments" + (data.Attempts.Count > 0 ? $"; {data.Utilisation.Describe()}" : "")));
        return 0;
    }
}

public sealed class ReportCommand : CliCommand<ReportCommand.Settings>
{
    public sealed class Settings : SweepSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for report.html (default: results/<sweep name>).")]
        public string? Out { get; init; }
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        var data = await ResultsView.LoadAll(cluster.Grains, settings.Sweep);
        var path = Path.Combine(settings.Out ?? Path.Combine("results", settings.Sweep), SweepReport.File);
        SweepReport.Write(SweepReport.Build(data, DateTimeOffset.UtcNow), path);
        AnsiConsole.MarkupLine(Markup.Escape($"wrote {Path.GetFullPath(path)} ({data.Rows.Length} completed experiments, self-contained)"));
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
        var (_, table, _) = await ResultsView.Load(cluster.Grains, settings.Sweep);
        if (table.Count == 0) throw new CliException($"sweep '{settings.Sweep}' has no completed experiments to plot yet");
        var info = AlphaPlot.Write(table, settings.Out);
        AnsiConsole.MarkupLine(Markup.Escape($"wrote {info.Path}: {info.Figure.Panels.Count} panels, {info.Series.Count} series"));
        return 0;
    }
}
