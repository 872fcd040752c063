using System.Globalization;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>The search section of report.html: what was searched for, the budget used, the ranked trials and both plots.</summary>
public sealed record SearchReportSection(
    IReadOnlyList<ReportField> Fields, SearchSnapshot Snapshot, IReadOnlyList<SearchRow> Rows, string? Warning,
    IReadOnlyList<ReportImage> Plots);

/// <summary>Builds and renders the search section (<see cref="ReportHtml"/> places it after the progress).</summary>
public static class SearchReport
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static SearchReportSection Build(SearchSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var o = s.Spec.Objective;
        var fields = new List<ReportField>
        {
            new("algorithm", s.Spec.Algorithm),
            new("objective", $"maximise {SearchTable.ObjectiveName(s.Spec)}" +
                (o.CleanFloor is { } floor ? $" among trials with clean accuracy at least {PivotFormat.Percent(floor)}%" : "")),
            new("budget used", SearchTable.BudgetUsed(s)),
        };
        if (SearchTable.Calibration(s) is { } calibration) fields.Add(new("early stopping", calibration));
        if (s.RungEpochs.Length > 0)
            fields.Add(new("rungs", string.Join(", ", s.RungEpochs.Select((e, k) => $"{k}: {SearchTable.Epochs(e)}")) +
                $" (eta {s.Spec.Asha.Eta}; probe PGD-{s.Spec.Asha.ProbeSteps} on {s.Spec.Asha.ProbeExamples} validation images)"));
        fields.Add(new("best", s.Best is { Objective: { } b } best
            ? $"{TrialLabel.Of(best.Number)} ({SearchTable.Values(best.Point)}): {SearchTable.Describe(b, s.Spec)}"
            : "none yet: no completed trial meets the objective"));
        if (SearchTable.BestClaim(s) is { } claim) fields.Add(new("best as a claim", claim));
        var warning = s.Best is { Objective.Doubted: true } d
            ? $"The best trial, {TrialLabel.Of(d.Number)}, is in doubt: masking checks fired on its attacks, so its robust accuracy may be overstated ('stablesnn explain {d.Key}')."
            : null;
        var plots = new[] { SearchPlots.AgainstAlpha(s), SearchPlots.Pareto(s) }
            .Where(f => f.Series.Count > 0)
            .Select(f => new ReportImage(f.Title, f.File == SearchPlots.AlphaFile
                ? "Filled: the objective of completed trials (vermillion where masking checks fired). Hollow: trials stopped at a rung, at their probe's robust accuracy (fewer images, PGD only). Ringed: the best."
                : "Every completed trial; the step line is the edge of what the Pareto front dominates (no trial is better on both).",
                SearchPlots.Render(f)))
            .ToList();
        return new SearchReportSection(fields, s, SearchTable.Ranked(s), warning, plots);
    }

    public static void Render(HtmlWriter h, SearchReportSection m)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(m);
        var s = m.Snapshot;
        h.Element("h2", "Search").Open("dl", ("class", "spec"), ("id", "search-spec"));
        foreach (var f in m.Fields) h.Element("dt", f.Name).Element("dd", f.Value);
        h.Close();
        if (m.Warning is { } warning) h.Element("p", warning, ("class", "warning"), ("id", "search-warning"));
        if (m.Rows.Count == 0)
        {
            h.Element("p", "No trial proposed yet.", ("id", "no-trials"));
            return;
        }
        bool lr = m.Rows.Any(r => r.Trial.Point.LearningRate is not null), steps = m.Rows.Any(r => r.Trial.Point.TimeSteps is not null);
        h.Element("p", "Trials by objective; stopped trials after the completed ones. Rung scores are the probe's robust accuracy " +
                       "(minus 1 under the clean floor); the last rung's is the objective's. Click a heading to sort.");
        h.Open("table", ("id", "search-trials"), ("class", "sortable")).Open("thead").Open("tr");
        var headers = new List<string> { "trial", "alpha" };
        if (lr) headers.Add("learning rate");
        if (steps) headers.Add("T");
        headers.AddRange(["status", "epochs"]);
        headers.AddRange(s.RungEpochs.Select((e, k) => $"rung {k} ({e} ep)"));
        headers.AddRange([$"robust % ({SearchTable.ObjectiveName(s.Spec)})", "clean %", "notes"]);
        foreach (var name in headers) h.Element("th", name);
        h.Close().Close().Open("tbody");
        foreach (var r in m.Rows)
        {
            var (t, o) = (r.Trial, r.Objective);
            var classes = string.Join(" ", new[] { r.IsBest ? "best" : null, r.IsStopped ? "stopped" : null, o?.Doubted == true ? "doubted" : null }.OfType<string>());
            h.Open("tr", ("data-trial", t.Number.ToString(Invariant)), ("data-status", r.Status), ("class", classes == "" ? null : classes));
            h.Element("td", r.Id, ("data-sort", t.Number.ToString(Invariant))).Element("td", SearchTable.Number(t.Point.Alpha), ("class", "num"), ("data-sort", Sort(t.Point.Alpha)));
            if (lr) h.Element("td", t.Point.LearningRate is { } rate ? SearchTable.Number(rate) : "-", ("class", "num"), ("data-sort", Sort(t.Point.LearningRate)));
            if (steps) h.Element("td", t.Point.TimeSteps?.ToString(Invariant) ?? "-", ("class", "num"));
            h.Element("td", r.Status, ("class", "cell")).Element("td", t.Epochs.ToString(Invariant), ("class", "num"));
            foreach (var score in r.RungScores) h.Element("td", score?.ToString("0.###", Invariant) ?? "-", ("class", "num"), ("data-sort", Sort(score)));
            h.Element("td", o is null ? "-" : PivotFormat.Percent(o.Robust) + (o.Doubted ? " doubted" : ""), ("class", o?.Doubted == true ? "num doubted" : "num"), ("data-sort", Sort(o?.Robust)))
                .Element("td", o is null ? "-" : PivotFormat.Percent(o.Clean), ("class", "num"), ("data-sort", Sort(o?.Clean)))
                .Element("td", string.Join(", ", SearchTable.Notes(r, s.Spec)));
            h.Close();
        }
        h.Close().Close();
        if (s.ParetoFront.Length > 0)
        {
            h.Element("h3", "Pareto front (clean against robust, clean first)").Open("ol", ("id", "pareto"));
            foreach (var t in s.ParetoFront.Select(n => s.Trials.First(t => t.Number == n)))
                h.Element("li", $"{TrialLabel.Of(t.Number)} (alpha {SearchTable.Number(t.Point.Alpha)}): clean {PivotFormat.Percent(t.Objective!.Clean)}%, robust {PivotFormat.Percent(t.Objective.Robust)}%",
                    ("data-trial", t.Number.ToString(Invariant)));
            h.Close();
        }
        foreach (var p in m.Plots)
            h.Open("figure", ("class", "search-plot")).Element("h3", p.Title)
                .Void("img", ("src", "data:image/png;base64," + Convert.ToBase64String(p.Png)), ("alt", p.Title))
                .Element("figcaption", p.Caption, ("class", "muted")).Close();
    }

    // Missing values sort below every number.
    static string Sort(double? value) => value is { } v ? v.ToString("R", Invariant) : "-1e9";
}
