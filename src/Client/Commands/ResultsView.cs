using StableSnn.Contracts;
using StableSnn.Grains.Results;
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
    public const string CsvFile = "results.csv", JsonFile = "results.json", PlotFile = RobustnessPlots.AlphaFile;
    public const string AttemptsFile = "attempts.csv", TimelineFile = "slot-timeline.png";

    public static async Task<(CompletedExperiment[] Rows, IReadOnlyList<ResultRow> Table, SweepSpec Spec)> Load(IGrainFactory grains, string sweep)
    {
        var grain = grains.GetGrain<ISweepGrain>(sweep);
        var spec = await grain.GetSpec() ?? throw new CliException($"sweep '{sweep}' does not exist; 'stablesnn list' shows the sweeps");
        var rows = await grain.GetResults();
        return (rows, ResultsTable.Build(rows, spec.BaselineAlpha), spec);
    }

    /// <summary>
    /// Every finished attempt of the sweep's finished experiments and how busy the slots were from submission to the
    /// last attempt's end (or now). Reads each experiment grain, a few hundred at a time.
    /// </summary>
    public static async Task<(AttemptSpan[] Spans, UtilisationSummary Summary)> LoadUtilisation(IGrainFactory grains, string sweep)
    {
        var grain = grains.GetGrain<ISweepGrain>(sweep);
        var spec = await grain.GetSpec() ?? throw new CliException($"sweep '{sweep}' does not exist; 'stablesnn list' shows the sweeps");
        var snapshot = await grain.GetSnapshot();
        var keys = new List<string>();
        // Stopped: search trials paused at a rung, whose attempts count like any other (trainer-seconds, the timeline).
        foreach (var phase in new[] { ExperimentPhase.Completed, ExperimentPhase.Failed, ExperimentPhase.Cancelled, ExperimentPhase.Stopped })
            keys.AddRange(await grain.ListExperiments(phase, int.MaxValue));
        var experiments = new List<ExperimentSnapshot>();
        foreach (var batch in keys.Chunk(256))
            experiments.AddRange(await Task.WhenAll(batch.Select(k => grains.GetGrain<IExperimentGrain>(k).GetSnapshot())));
        var spans = SlotUtilisation.Spans(experiments).ToArray();

        var kind = spec.Resources.SlotKind;
        var slots = (await grains.Scheduler().GetSnapshot()).Slots
            .Count(s => kind == Vocabulary.AnySlot || s.Slot.Kind == kind);
        var to = spans.Length == 0 ? DateTimeOffset.UtcNow : spans.Max(s => s.End);
        return (spans, SlotUtilisation.Compute(spans, snapshot.SubmittedAt, to, slots));
    }

    /// <summary>
    /// The pivot: one line per grid point, a column per measure (clean, each attack at its epsilon, the worst case),
    /// each cell "accuracy [95% interval]" with the paired test against the baseline twin beneath it.
    /// </summary>
    public static void Print(IReadOnlyList<ResultRow> table, double baselineAlpha, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        if (table.Count == 0)
        {
            console.MarkupLine("[yellow]no completed experiments yet[/]");
            return;
        }
        var pivot = ResultsPivot.Build(table, baselineAlpha);
        var view = new Table().AddColumns("grid point", "alpha", "seeds x images");
        foreach (var c in pivot.Columns) view.AddColumn(c.IsWorstCase ? $"[bold]{Markup.Escape(c.Header)}[/]" : Markup.Escape(c.Header));
        view.AddColumn("masking flags");
        foreach (var r in pivot.Rows)
        {
            var cells = new List<string> { Markup.Escape(r.GridPoint), PivotFormat.Alpha(r.Alpha), $"{r.Seeds} x {r.Examples}" };
            for (var i = 0; i < pivot.Columns.Count; i++)
            {
                if (r.Cells[i] is not { } cell)
                {
                    cells.Add("-");
                    continue;
                }
                var accuracy = Markup.Escape(PivotFormat.Accuracy(cell));
                if (pivot.Columns[i].IsWorstCase) accuracy = $"[bold]{accuracy}[/]";
                if (cell.Unreliable) accuracy = $"[red]{accuracy} unreliable[/]";
                var paired = PivotFormat.Paired(cell);
                cells.Add(paired == "" ? accuracy : $"{accuracy}\n{(cell.Significant ? $"[bold]{paired}[/]" : paired)}");
            }
            cells.Add(r.Flagged > 0 ? $"[red]{r.Flagged} of {r.Seeds} seeds: {Markup.Escape(string.Join(",", r.Flags))}[/]" : "-");
            view.AddRow(cells.ToArray());
        }
        console.Write(view);
        console.MarkupLine(Markup.Escape(
            "Accuracy % [95% interval] over seeds. worst-case: an image counts only if it is right clean and under every attack at that eps. " +
            (pivot.HasPairedTests
                ? $"Second line: difference to the baseline twin (alpha {PivotFormat.Alpha(baselineAlpha)}) in points, exact McNemar on the same images; * p < 0.05. "
                : "") +
            "Flags: 'stablesnn explain EXPERIMENT' shows what each check said."));
        if (BelowStandardBudget(table) is { } note) console.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
    }

    /// <summary>The sentence tables and reports print when a worst case was measured below AutoAttack's standard budget.</summary>
    public static string? BelowStandardBudget(IReadOnlyList<ResultRow> table) =>
        table.FirstOrDefault(r => r.IsWorstCase && r.BelowStandardBudget) is { } row
            ? $"The worst case was measured below AutoAttack's standard budget ({row.Budget}): read it as an upper bound on robust " +
              "accuracy. attackSuite: reliable measures it at the standard budget."
            : null;

    /// <summary>The long form: one line per grid point and measure (<c>results NAME --long</c>).</summary>
    public static void PrintLong(IReadOnlyList<ResultRow> table, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        if (table.Count == 0)
        {
            console.MarkupLine("[yellow]no completed experiments yet[/]");
            return;
        }
        var baseline = table.FirstOrDefault(r => r.Delta is not null) is null ? "" : "vs baseline alpha";
        var view = new Table().AddColumns("grid point", "alpha", "measure", "eps", "accuracy %", "95% interval", "seeds x images",
            baseline == "" ? "paired test" : baseline, "masking flags");
        foreach (var r in table)
        {
            var accuracy = $"{100 * r.Mean:F1}" + (r.Count > 1 ? $" ± {100 * r.Std:F1} sd" : "");
            var measure = Markup.Escape(r.Attack);
            if (r.IsWorstCase) (measure, accuracy) = ($"[bold]{measure}[/]", $"[bold]{accuracy}[/]");
            if (r.Unreliable) accuracy = $"[red]{accuracy} unreliable[/]";
            view.AddRow(Markup.Escape($"{r.Dataset} {r.Architecture} {r.Neuron} {r.Mode}"), r.Alpha.ToString(CultureInfo.InvariantCulture),
                measure, r.Attack == ResultRow.Clean ? "" : Eps(r.Epsilon), accuracy,
                $"{100 * r.Interval.Low:F1}-{100 * r.Interval.High:F1}", $"{r.Count} x {r.Examples}", Paired(r),
                r.Flagged > 0 ? $"[red]{r.Flagged} suspect: {Markup.Escape(string.Join(",", r.Flags))}[/]" : "-");
        }
        console.Write(view);
        console.MarkupLine("worst-case: an image counts only if it is right clean and under every attack at that eps. " +
                           "Paired test: difference to the baseline twin, exact McNemar on the same images; * p < 0.05.");
    }

    /// <summary>Epsilon as k/255 where it is one (8/255), else as a number.</summary>
    public static string Eps(double epsilon) => PivotFormat.Eps(epsilon);

    static string Paired(ResultRow r) => r.Delta is not { } d ? "-"
        : $"{(d >= 0 ? "+" : "")}{100 * d:F1}" + (r.PValue is { } p ? $" (p={p.ToString(p < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture)}){(r.Significant ? "*" : "")}" : "");

    /// <summary>
    /// Everything the files are made from: spec, snapshot, results, finished attempts and utilisation, and the failed
    /// or cancelled experiments.
    /// </summary>
    public static async Task<SweepData> LoadAll(IGrainFactory grains, string sweep)
    {
        var grain = grains.GetGrain<ISweepGrain>(sweep);
        var spec = await grain.GetSpec() ?? throw new CliException($"sweep '{sweep}' does not exist; 'stablesnn list' shows the sweeps");
        var snapshot = await grain.GetSnapshot();
        var rows = await grain.GetResults();
        var (spans, utilisation) = await LoadUtilisation(grains, sweep);
        var unsuccessful = new List<ExperimentSnapshot>();
        foreach (var phase in new[] { ExperimentPhase.Failed, ExperimentPhase.Cancelled })
        foreach (var batch in (await grain.ListExperiments(phase, int.MaxValue)).Chunk(256))
            unsuccessful.AddRange(await Task.WhenAll(batch.Select(k => grains.GetGrain<IExperimentGrain>(k).GetSnapshot())));
        return new SweepData(spec, snapshot, rows, ResultsTable.Build(rows, spec.BaselineAlpha), spans, utilisation, unsuccessful,
            await grain.GetSearch());
    }

    /// <summary>
    /// CSV, JSON, the alpha plot, attempts CSV and slot timeline (each when there is something in it), a search's files
    /// and report.html; returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Write(SweepData data, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string> { Path.Combine(directory, CsvFile), Path.Combine(directory, JsonFile) };
        ResultsExport.WriteCsv(data.Rows, files[0], data.Spec.BaselineAlpha);
        ResultsExport.WriteJson(data.Rows, data.Table, files[1]);
        foreach (var figure in RobustnessPlots.All(data.Table))
        {
            files.Add(Path.Combine(directory, figure.File));
            RobustnessPlots.Write(figure, files[^1]);
        }
        if (data.Attempts.Count > 0)
        {
            files.Add(Path.Combine(directory, AttemptsFile));
            ResultsExport.WriteAttemptsCsv(data.Attempts, files[^1]);
            files.Add(Path.Combine(directory, TimelineFile));
            SlotTimeline.Write(data.Attempts, data.Utilisation.From, files[^1]);
        }
        if (data.Search is { } search) files.AddRange(WriteSearch(search, directory));
        files.Add(Path.Combine(directory, SweepReport.File));
        SweepReport.Write(SweepReport.Build(data, DateTimeOffset.UtcNow), files[^1]);
        return files;
    }

    /// <summary>search-trials.csv, pareto.csv, search.png and pareto.png (the plots once a trial has something to show).</summary>
    public static IReadOnlyList<string> WriteSearch(SearchSnapshot search, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string> { Path.Combine(directory, SearchExport.TrialsFile), Path.Combine(directory, SearchExport.ParetoFile) };
        SearchExport.WriteTrialsCsv(search, files[0]);
        SearchExport.WriteParetoCsv(search, files[1]);
        foreach (var figure in new[] { SearchPlots.AgainstAlpha(search), SearchPlots.Pareto(search) }.Where(f => f.Series.Count > 0))
        {
            files.Add(Path.Combine(directory, figure.File));
            SearchPlots.Write(figure, files[^1]);
        }
        return files;
    }
}
