using System.Globalization;
using Spectre.Console;
using StableSnn.Client.Hosting;
using StableSnn.Client.Results;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

/// <summary>The results table on the console, and the files a finished sweep leaves behind.</summary>
public static class ResultsView
{
    public const string CsvFile = "results.csv", JsonFile = "results.json", PlotFile = "robustness-vs-alpha.png";

    public static async Task<(ExperimentResultRow[] Rows, IReadOnlyList<ResultRow> Table)> Load(IGrainFactory grains, string sweep)
    {
        var grain = grains.GetGrain<ISweepGrain>(sweep);
        if (await grain.GetSpec() is null) throw new CliException($"sweep '{sweep}' does not exist; 'stablesnn list' shows the sweeps");
        var rows = await grain.GetResults();
        return (rows, ResultsTable.Build(rows));
    }

    public static void Print(IReadOnlyList<ResultRow> table)
    {
        if (table.Count == 0)
        {
            AnsiConsole.MarkupLine("[yellow]no completed experiments yet[/]");
            return;
        }
        var view = new Table().AddColumns("grid point", "alpha", "attack", "accuracy %", "seeds", "masking flags");
        foreach (var r in table)
            view.AddRow(Markup.Escape($"{r.Dataset} {r.Architecture} {r.Neuron} {r.Mode}"), r.Alpha.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(r.Attack), $"{100 * r.Mean:F2} ± {100 * r.Std:F2}", $"{r.Count}",
                r.Flagged > 0 ? $"[red]{r.Flagged} suspect: {Markup.Escape(string.Join(",", r.Flags))}[/]" : "-");
        AnsiConsole.Write(view);
    }

    /// <summary>CSV, JSON and (when there is something to draw) the alpha plot; returns the files written.</summary>
    public static IReadOnlyList<string> Write(ExperimentResultRow[] rows, IReadOnlyList<ResultRow> table, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string> { Path.Combine(directory, CsvFile), Path.Combine(directory, JsonFile) };
        ResultsExport.WriteCsv(rows, files[0]);
        ResultsExport.WriteJson(rows, table, files[1]);
        if (table.Count > 0)
        {
            files.Add(Path.Combine(directory, PlotFile));
            AlphaPlot.Write(table, files[2]);
        }
        return files;
    }
}
