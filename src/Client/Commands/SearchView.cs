using Spectre.Console;
using StableSnn.Client.Results;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

/// <summary>A search on the console: the trials table (results, run), the progress lines (watch) and one trial (explain).</summary>
public static class SearchView
{
    /// <summary>
    /// Trials ranked by objective (stopped ones after the completed, marked with their rung), the best in bold green,
    /// a red warning when the best is doubted, the budget used and the Pareto front.
    /// </summary>
    public static void Print(SearchSnapshot s, IAnsiConsole? console = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        console ??= AnsiConsole.Console;
        console.MarkupLine(Markup.Escape($"search ({s.Spec.Algorithm}), objective {SearchTable.ObjectiveName(s.Spec)}" +
            (s.Spec.Objective.CleanFloor is { } floor ? $" with clean accuracy at least {PivotFormat.Percent(floor)}%" : "") +
            $": {s.Trials.Length} trials"));
        if (s.Trials.Length == 0) return;
        bool lr = s.Trials.Any(t => t.Point.LearningRate is not null), steps = s.Trials.Any(t => t.Point.TimeSteps is not null);
        var table = new Table().AddColumns("trial", "alpha");
        if (lr) table.AddColumn("learning rate");
        if (steps) table.AddColumn("T");
        table.AddColumns("status", "epochs");
        if (s.RungEpochs.Length > 0) table.AddColumn("rung scores");
        table.AddColumns($"robust % ({Markup.Escape(SearchTable.ObjectiveName(s.Spec))})", "clean %", "notes");
        foreach (var r in SearchTable.Ranked(s))
        {
            var (t, o) = (r.Trial, r.Objective);
            var cells = new List<string> { r.Id, SearchTable.Number(t.Point.Alpha) };
            if (lr) cells.Add(t.Point.LearningRate is { } rate ? SearchTable.Number(rate) : "-");
            if (steps) cells.Add(t.Point.TimeSteps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            cells.Add(r.IsStopped ? $"[grey]{Markup.Escape(r.Status)}[/]" : Markup.Escape(r.Status));
            cells.Add(t.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (s.RungEpochs.Length > 0) cells.Add(string.Join(" ", r.RungScores.Select(v => v is { } x ? x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "-")));
            cells.Add(o is null ? "-" : o.Doubted ? $"[red]{PivotFormat.Percent(o.Robust)} doubted[/]" : PivotFormat.Percent(o.Robust));
            cells.Add(o is null ? "-" : PivotFormat.Percent(o.Clean));
            cells.Add(Markup.Escape(string.Join(", ", SearchTable.Notes(r, s.Spec))));
            if (r.IsBest) cells = [.. cells.Select(c => $"[bold green]{c}[/]")];
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        if (s.Best is { Objective.Doubted: true } doubted)
            console.MarkupLine($"[red]{Markup.Escape($"warning: the best trial, {Id(doubted)} ({SearchTable.Values(doubted.Point)}), is in doubt: masking checks fired on its attacks, so its robust accuracy may be overstated; 'stablesnn explain {doubted.Key}' shows what they said")}[/]");
        if (SearchTable.BestClaim(s) is { } claim) console.MarkupLine(Markup.Escape($"best: {claim}"));
        console.MarkupLine(Markup.Escape($"budget: {SearchTable.BudgetUsed(s)}"));
        if (SearchTable.Calibration(s) is { } calibration)
            console.MarkupLine(calibration.StartsWith("early stopping uncalibrated", StringComparison.Ordinal)
                ? $"[yellow]{Markup.Escape(calibration)}[/]" : Markup.Escape(calibration));
        if (s.ParetoFront.Length > 0)
            console.MarkupLine(Markup.Escape("Pareto front (clean / robust, clean first): " + string.Join("; ",
                s.ParetoFront.Select(n => s.Trials.First(t => t.Number == n))
                    .Select(t => $"{Id(t)} alpha {SearchTable.Number(t.Point.Alpha)} {PivotFormat.Percent(t.Objective!.Clean)}% / {PivotFormat.Percent(t.Objective.Robust)}%"))));
        if (s.RungEpochs.Length > 0)
            console.MarkupLine(Markup.Escape($"Rung scores: the probe's robust accuracy at epochs {string.Join(", ", s.RungEpochs)} (minus 1 under the clean floor); the last is the objective's."));
    }

    static string Id(TrialSnapshot t) => TrialLabel.Of(t.Number);

    /// <summary>
    /// What watch shows for a search, as markup lines: one per ASHA rung (reported, promoted past it, stopped there,
    /// paused there still eligible, on the way), the best trial so far (red when doubted) and the budget used.
    /// </summary>
    public static IReadOnlyList<string> WatchLines(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var lines = new List<string>();
        for (var k = 0; k < s.RungEpochs.Length; k++)
        {
            int rung = k;
            int reported = s.Trials.Count(t => t.Rungs.Any(r => r.Rung == rung));
            int onTheWay = s.Trials.Count(t => t.TargetRung == rung && t.Phase.IsActive());
            string counts = rung == s.RungEpochs.Length - 1
                ? $"{reported} completed"
                : $"{reported} reported, {s.Trials.Count(t => t.TargetRung > rung && t.Rungs.Any(r => r.Rung == rung))} promoted, " +
                  $"{s.Trials.Count(t => t.Phase == ExperimentPhase.Stopped && !t.Paused && SearchTable.StopRung(t) == rung)} stopped" +
                  (s.Trials.Count(t => t.Paused && SearchTable.StopRung(t) == rung) is var paused and > 0 ? $", {paused} paused (waiting or held)" : "");
            lines.Add(Markup.Escape($"rung {rung}, {SearchTable.Epochs(s.RungEpochs[rung])}: {counts}" + (onTheWay > 0 ? $", {onTheWay} on the way" : "")));
        }
        if (s.Best is { Objective: { } o } best)
        {
            var text = Markup.Escape($"best so far: {Id(best)} ({SearchTable.Values(best.Point)}), robust {PivotFormat.Percent(o.Robust)}% / clean {PivotFormat.Percent(o.Clean)}%");
            lines.Add(o.Doubted ? $"[red]{text} {Markup.Escape("(doubted: masking checks fired)")}[/]" : text);
        }
        else lines.Add("best so far: none (no completed trial meets the objective yet)");
        lines.Add(Markup.Escape($"budget: {SearchTable.BudgetUsed(s)}"));
        return lines;
    }

    /// <summary>
    /// explain for a search trial: its searched values, its rungs, every decision in order, its objective, and for a
    /// stopped trial where its checkpoint is and whether it can still be promoted.
    /// </summary>
    public static void Explain(IAnsiConsole console, SearchSnapshot s, TrialSnapshot t, ExperimentSnapshot e, bool searchEnded)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(e);
        console.MarkupLine(Markup.Escape($"  search trial {Id(t)} ({s.Spec.Algorithm}): {SearchTable.Values(t.Point)}; {SearchTable.Epochs(t.Epochs)}"));
        foreach (var line in PlanLines(s, s.RungEpochs.Length > 0 ? s.RungEpochs[^1] : t.Epochs)) console.MarkupLine(Markup.Escape($"  {line}"));
        if (t.Rungs.Length > 0)
        {
            var rungs = new Table().AddColumns("rung", "epoch", "validation %", "probe robust %", "score");
            foreach (var r in t.Rungs)
            {
                var m = r.Measurement;
                rungs.AddRow(r.Rung.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    m is null ? "-" : PivotFormat.Percent(m.ValidationAccuracy),
                    Markup.Escape(m is null ? "- (last rung: the objective)" : $"{PivotFormat.Percent(m.ProbeRobustAccuracy)} ({m.ProbeAttack} {PivotFormat.Eps(m.Epsilon)}, {m.ProbeExamples} images)"),
                    r.Score.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture));
            }
            console.Write(new Padder(rungs, new Padding(2, 0, 0, 0)));
        }
        foreach (var d in t.Decisions) console.MarkupLine(Markup.Escape($"  decision: {d}"));
        if (t.Objective is { } o) console.MarkupLine((o.Doubted ? "[red]" : "") + Markup.Escape($"  objective: {SearchTable.Describe(o, s.Spec)}") + (o.Doubted ? "[/]" : ""));
        else if (t.Phase == ExperimentPhase.Completed) console.MarkupLine(Markup.Escape($"  objective: none, the suite measured nothing at {SearchTable.ObjectiveName(s.Spec)}"));
        if (t.Phase != ExperimentPhase.Stopped) return;

        var where = Checkpoint(t.Key, e);
        var rung = SearchTable.Rung(s, SearchTable.StopRung(t));
        console.MarkupLine(Markup.Escape(searchEnded
            ? $"  stopped at {rung}: the search ended with it stopped; its checkpoint stays {where}"
            : $"  stopped at {rung}: its checkpoint is kept {where}; it can still be promoted while the search runs"));
    }

    /// <summary>The search's plan as submitted (what its budget buys) and how its rungs decide: cohorts, or as reports arrive.</summary>
    public static IEnumerable<string> PlanLines(SearchSnapshot s, int epochs)
    {
        var plan = Grains.Search.SearchPlanner.Plan(s.Spec, epochs);
        yield return $"plan: {plan.Describe().First()}";
        if (s.Spec.Algorithm != "asha") yield break;
        var asha = s.Spec.Asha;
        foreach (var note in plan.Notes.Where(n => n.StartsWith("brackets:", StringComparison.Ordinal))) yield return note;
        if (s.Spec.CohortTrials(epochs) is { } n)
        {
            var brackets = asha.BracketPolicies(epochs, n);
            var sizes = brackets.Count == 1 ? string.Join(", ", brackets[0].Cohorts!.SkipLast(1))
                : string.Join("; ", brackets.Select((p, b) => $"bracket {b}: " + (p.Cohorts is { Count: > 1 } c ? string.Join(", ", c.SkipLast(1)) : "none")));
            yield return $"rungs: synchronous cohorts of {sizes} trials; each rung decides for all its trials once all have reported, so arrival order does not matter";
        }
        else
            yield return "rungs: asynchronous, each report decided at once against the reports so far (" + (asha.Cohorts switch
            {
                Grains.Search.AshaSettings.Async => "search.asha.cohorts: async",
                null => "a search stored before cohorts existed, or built without a spec file",
                _ when plan.Trials <= 0 => "the plan cannot count its trials",
                _ => $"more than {Grains.Search.AshaSettings.CohortLimit} planned trials",
            }) + ")";
    }

    /// <summary>"under its artifact directory .../KEY on node-a": cut from the last checkpoint the trainer reported.</summary>
    static string Checkpoint(string key, ExperimentSnapshot e)
    {
        var last = e.Attempts.LastOrDefault(a => a.LastCheckpoint is not null) ?? e.Attempts.LastOrDefault();
        var node = last is null || last.Node == "" ? "" : $" on {last.Node}";
        if (last?.LastCheckpoint is { } path && path.IndexOf(key, StringComparison.Ordinal) is >= 0 and var at)
            return $"under its artifact directory {path[..(at + key.Length)]}{node} (last checkpoint {path})";
        return $"under its artifact directory (the artifact root's {key}/){node}";
    }
}
