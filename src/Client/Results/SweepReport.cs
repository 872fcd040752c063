using System.Globalization;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;

namespace StableSnn.Client.Results;

/// <summary>
/// Everything a finished (or running) sweep's files are made from, as read from the grains; <c>Search</c> only for a
/// sweep with a search section.
/// </summary>
public sealed record SweepData(
    SweepSpec Spec,
    SweepSnapshot Snapshot,
    CompletedExperiment[] Rows,
    IReadOnlyList<ResultRow> Table,
    IReadOnlyList<AttemptSpan> Attempts,
    UtilisationSummary Utilisation,
    IReadOnlyList<ExperimentSnapshot> Unsuccessful,
    SearchSnapshot? Search = null);

public sealed record ReportField(string Name, string Value);

/// <summary>An embedded PNG with its heading and what it shows.</summary>
public sealed record ReportImage(string Title, string Caption, byte[] Png);

/// <summary>A failed or cancelled experiment and why.</summary>
public sealed record ReportFailure(string Experiment, string Phase, string Reason, int Attempts);

/// <summary>A masking check code, what it means, and what it said in each experiment where it fired.</summary>
public sealed record ReportFlagNote(string Code, string Meaning, IReadOnlyList<string> Messages);

/// <summary>What report.html shows, apart from how it looks (<see cref="ReportHtml"/> renders it).</summary>
public sealed record SweepReportModel
{
    public required string Name { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required IReadOnlyList<ReportField> Spec { get; init; }
    public required string Status { get; init; }
    public required int Total { get; init; }
    /// <summary>Experiments per phase, every phase listed.</summary>
    public required IReadOnlyList<ReportField> Phases { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Sum of every finished attempt's time on its slot.</summary>
    public required double SlotSeconds { get; init; }
    public required string Utilisation { get; init; }
    public required ResultsPivot Pivot { get; init; }
    /// <summary>Masking messages per pivot row (same order as <see cref="ResultsPivot.Rows"/>): "experiment: code: message".</summary>
    public required IReadOnlyList<IReadOnlyList<string>> RowMessages { get; init; }
    public required IReadOnlyList<ReportFlagNote> Flags { get; init; }
    /// <summary>Said under the results when a worst case was measured below AutoAttack's standard budget; else null.</summary>
    public string? BudgetNote { get; init; }
    public required IReadOnlyList<ReportImage> Plots { get; init; }
    public ReportImage? Timeline { get; init; }
    public required IReadOnlyList<AttemptSpan> Attempts { get; init; }
    public required IReadOnlyList<ReportFailure> Failures { get; init; }
    /// <summary>Only for a sweep with a search section.</summary>
    public SearchReportSection? Search { get; init; }
}

/// <summary>Builds the report's model from a sweep's data and writes report.html.</summary>
public static class SweepReport
{
    public const string File = "report.html";

    /// <summary>The checks of docs/robustness.md, for the footnote; "(finding)" ones do not doubt the headline.</summary>
    public static readonly IReadOnlyDictionary<string, string> FlagMeanings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["gradient-masking-suspected"] = "the gradient-free Square attack beats every gradient attack together, adaptive ones included, beyond paired noise (McNemar p < 0.05): the worst case is an upper bound",
        ["square-beats-attack"] = "(finding) Square beats some gradient attacks on the same images beyond paired noise: their numbers overstate robustness",
        ["standard-overstates"] = "(finding) the paper's FGSM/PGD leave images robust that another attack broke: by how many points, with a 95% interval",
        ["iterative-at-clean"] = "an iterative attack does not lower accuracy beyond paired noise of clean accuracy on the same images",
        ["iterative-weaker-than-fgsm"] = "an iterative attack leaves more images correct than single-step FGSM at the same eps, beyond paired noise",
        ["accuracy-rises-with-epsilon"] = "an attack alike in all but eps leaves more images correct at a larger eps, beyond paired noise",
        ["zero-input-gradient"] = "(finding) more than 5% of the images have an input gradient of exactly zero through the training surrogate",
        ["large-epsilon-not-chance"] = "the eps-1 sanity attack (adaptive backward) leaves more than chance + 10%",
        ["transfer-beats-whitebox"] = "a black-box transfer attack beats every white-box attack together, beyond paired noise",
        ["stronger-attack-found"] = "(results before AutoAttack-grade evaluation) attacks beyond the standard ones broke more than 2% of the images they left",
    };

    public static SweepReportModel Build(SweepData data, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(data);
        var spec = data.Spec;
        var pivot = ResultsPivot.Build(data.Table, spec.BaselineAlpha);
        var messages = data.Rows
            .GroupBy(r => (r.Point.Dataset, r.Point.Architecture, r.Point.Neuron, r.Point.Mode, r.Point.Alpha))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g
                .OrderBy(r => r.Point.Seed)
                .SelectMany(r => (r.Outcome.MaskingMessages ?? []).Select(m => $"seed {r.Point.Seed}: {m}"))
                .ToList());
        var rowMessages = pivot.Rows
            .Select(r => messages.GetValueOrDefault((r.Dataset, r.Architecture, r.Neuron, r.Mode, r.Alpha)) ?? [])
            .ToList();
        var flags = data.Rows
            .SelectMany(r => (r.Outcome.MaskingFlags ?? []).Concat(r.Outcome.Findings ?? []).Select(code => (Code: code, Row: r)))
            .GroupBy(x => x.Code, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ReportFlagNote(g.Key, FlagMeanings.GetValueOrDefault(g.Key) ?? "a masking check (docs/robustness.md)",
                g.SelectMany(x => (x.Row.Outcome.MaskingMessages ?? [])
                        .Where(m => m.StartsWith(g.Key + ":", StringComparison.Ordinal))
                        .DefaultIfEmpty(g.Key)
                        .Select(m => $"{x.Row.Key}: {m}"))
                    .Distinct(StringComparer.Ordinal).ToList()))
            .ToList();

        var plots = RobustnessPlots.All(data.Table)
            .Select(f => new ReportImage(f.Title, Caption(f), RobustnessPlots.Render(f)))
            .ToList();
        ReportImage? timeline = data.Attempts.Count == 0 ? null
            : new ReportImage("Attempts on slots", "One row per slot, one bar per attempt (green: succeeded, blue: paused at a search rung, red: anything else).",
                SlotTimeline.Render(data.Attempts, data.Utilisation.From, 1000, 0));

        var s = data.Snapshot;
        return new SweepReportModel
        {
            Name = spec.Name,
            GeneratedAt = now,
            Spec = [.. SpecFields(spec), new("measured", pivot.Columns.Count == 0 ? "nothing yet" : string.Join(", ", pivot.Columns.Select(c => c.Header)))],
            Status = s.Status.ToString(),
            Total = s.Total,
            // Only a search stops trials at rungs: other sweeps list the phases they always did.
            Phases = Enum.GetValues<ExperimentPhase>().Where(p => p != ExperimentPhase.Stopped || data.Search is not null)
                .Select(p => new ReportField(p.ToString(), s.Count(p).ToString(CultureInfo.InvariantCulture))).ToList(),
            SubmittedAt = s.SubmittedAt,
            FinishedAt = s.FinishedAt,
            SlotSeconds = data.Attempts.Sum(a => (a.End - a.Start).TotalSeconds),
            Utilisation = data.Attempts.Count == 0 ? "no finished attempt yet" : data.Utilisation.Describe(),
            Pivot = pivot,
            RowMessages = rowMessages,
            Flags = flags,
            BudgetNote = Commands.ResultsView.BelowStandardBudget(data.Table),
            Plots = plots,
            Timeline = timeline,
            Attempts = data.Attempts.OrderBy(a => a.Start).ThenBy(a => a.Experiment, StringComparer.Ordinal).ToList(),
            Failures = data.Unsuccessful
                .Where(e => e.Phase is ExperimentPhase.Failed or ExperimentPhase.Cancelled)
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => new ReportFailure(e.Key, e.Phase.ToString(),
                    string.Join(": ", new[] { e.Why, e.Attempts.LastOrDefault()?.Message }.Where(x => !string.IsNullOrWhiteSpace(x)).DefaultIfEmpty("no reason recorded")),
                    e.Attempts.Length))
                .ToList(),
            Search = data.Search is { } search ? SearchReport.Build(search) : null,
        };
    }

    static string Caption(PlotFigure f) => f.File switch
    {
        RobustnessPlots.AlphaFile => "A panel per grid group; clean accuracy dashed and the per-example worst case bold, each with its 95% interval shaded; each attack thin, dotted where unreliable.",
        RobustnessPlots.EpsilonFile => "Accuracy under attack against epsilon, one line per alpha, shaded 95% intervals.",
        _ => "One point per grid group and alpha; the bars are the worst case's 95% intervals.",
    };

    static List<ReportField> SpecFields(SweepSpec spec)
    {
        static string Join<T>(IEnumerable<T> values) => string.Join(", ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
        var t = spec.Training ?? new TrainingSettings();
        var defaults = spec.ExperimentSpec(new GridPoint("", "", "", "", 0, 0)); // the settings every grid point runs with
        var fields = new List<ReportField>
        {
            new("name", spec.Name),
            new("datasets", Join(spec.Datasets)),
            new("architectures", Join(spec.Architectures)),
            new("neurons", Join(spec.Neurons)),
            new("modes", Join(spec.Modes)),
            new("alphas", Join(spec.Alphas)),
            new("seeds", Join(spec.Seeds)),
            new("baseline alpha", PivotFormat.Alpha(spec.BaselineAlpha)),
            new("attack suite", spec.AttackSuite),
            new("epochs", spec.Epochs.ToString(CultureInfo.InvariantCulture)),
            new("batch size", defaults.BatchSize.ToString(CultureInfo.InvariantCulture)),
            new("learning rate", defaults.LearningRate.ToString(CultureInfo.InvariantCulture)),
            new("time steps", defaults.TimeSteps.ToString(CultureInfo.InvariantCulture)),
            new("validation fraction", defaults.ValidationFraction.ToString(CultureInfo.InvariantCulture)),
            new("attacked images", defaults.AttackSubset.ToString(CultureInfo.InvariantCulture)),
            new("evaluation seed", defaults.EvaluationSeed.ToString(CultureInfo.InvariantCulture)),
            new("slot kind", spec.Resources?.SlotKind ?? ""),
            new("max concurrency", spec.MaxConcurrency == 0 ? "no limit" : spec.MaxConcurrency.ToString(CultureInfo.InvariantCulture)),
            new("max attempts", spec.MaxAttempts.ToString(CultureInfo.InvariantCulture)),
        };
        if (t.TrainSubset is { } train) fields.Add(new("train subset", train.ToString(CultureInfo.InvariantCulture)));
        if (t.TestSubset is { } test) fields.Add(new("test subset", test.ToString(CultureInfo.InvariantCulture)));
        if (t.DataRoot is { } root) fields.Add(new("data root", root));
        return fields;
    }

    /// <summary>Renders the model and replaces <paramref name="path"/> atomically.</summary>
    public static void Write(SweepReportModel model, string path) =>
        AtomicFile.Write(path, new System.Text.UTF8Encoding(false).GetBytes(ReportHtml.Render(model)));
}
