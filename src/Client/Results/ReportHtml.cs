using System.Globalization;
using StableSnn.Grains.Results;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>
/// Renders a <see cref="SweepReportModel"/> as one self-contained HTML page: inline CSS and script, plots as data
/// URIs, nothing fetched at view time. Tables marked sortable sort on a header click; the filter box hides rows of
/// the pivot and attempts tables that do not contain its text. The URL can set both: report.html#filter=dlif&amp;sort=alpha
/// (the pivot sorted ascending by that column heading).
/// </summary>
public static class ReportHtml
{
    const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em;color:#222;max-width:1600px}
        h1{margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;font-size:13px;margin:.5em 0}
        th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#f3f3f3} table.sortable th{cursor:pointer} table.sortable th:hover{background:#e6e6e6}
        td.num{text-align:right;white-space:nowrap} td.cell{white-space:nowrap}
        .worst{font-weight:bold} .sig{color:#0072B2;font-weight:bold} .paired{color:#555;font-size:11px;display:block}
        .unreliable{background:#fde2e2;color:#a00} tr.flagged td.flags{background:#fff4d6}
        .muted{color:#777} dl.spec{display:grid;grid-template-columns:max-content auto;gap:2px 12px} dl.spec dt{font-weight:bold}
        img{max-width:100%;border:1px solid #eee} #filter{font-size:14px;padding:3px 6px;width:24em}
        .warning{color:#a00;font-weight:bold} tr.best td{background:#e3f4ec;font-weight:bold} tr.stopped td{color:#666}
        td.doubted{color:#a00}
        """;

    const string Script = """
        (function(){
          var box=document.getElementById('filter');
          function filter(){
            var q=box.value.toLowerCase();
            document.querySelectorAll('table.filterable tbody tr').forEach(function(r){
              r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});
          }
          function key(c){
            if(!c)return '';
            var s=c.getAttribute('data-sort');
            return s!==null&&s!==''&&!isNaN(s)?parseFloat(s):(s!==null?s:c.textContent).toLowerCase();
          }
          document.querySelectorAll('table.sortable').forEach(function(t){
            Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){
              th.addEventListener('click',function(){
                var asc=th.getAttribute('data-dir')!=='asc', body=t.tBodies[0];
                Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h){h.removeAttribute('data-dir');});
                th.setAttribute('data-dir',asc?'asc':'desc');
                Array.prototype.slice.call(body.rows).sort(function(a,b){
                  var x=key(a.cells[i]),y=key(b.cells[i]);
                  if(typeof x!==typeof y){x=String(x);y=String(y);}
                  return (x<y?-1:x>y?1:0)*(asc?1:-1);
                }).forEach(function(r){body.appendChild(r);});
              });
            });
          });
          box.addEventListener('input',filter);
          var m=/[#&]filter=([^&]*)/.exec(location.hash);
          if(m){box.value=decodeURIComponent(m[1]);filter();}
          var o=/[#&]sort=([^&]*)/.exec(location.hash), pivot=document.getElementById('pivot');
          if(o&&pivot)Array.prototype.forEach.call(pivot.tHead.rows[0].cells,function(th){
            if(th.textContent===decodeURIComponent(o[1]))th.click();});
          document.body.setAttribute('data-script','ready');
        })();
        """;

    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(SweepReportModel m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var h = new HtmlWriter().Raw("<!DOCTYPE html>");
        h.Open("html", ("lang", "en")).Open("head")
            .Void("meta", ("charset", "utf-8"))
            .Void("meta", ("name", "viewport"), ("content", "width=device-width, initial-scale=1"))
            .Element("title", $"StableSnn sweep {m.Name}")
            .Open("style").Raw(Css).Close()
            .Close();
        h.Open("body");
        h.Element("h1", $"Sweep {m.Name}");
        h.Element("p", $"Report generated {Time(m.GeneratedAt)} by stablesnn. Accuracy in %, with its 95% interval in brackets.", ("class", "muted"));

        Spec(h, m);
        Progress(h, m);
        if (m.Search is { } search) SearchReport.Render(h, search);
        Results(h, m);
        Plots(h, m);
        Attempts(h, m);
        Failures(h, m);

        h.Open("script").Raw(Script).Close();
        h.Close().Close();
        return h.ToString();
    }

    static void Spec(HtmlWriter h, SweepReportModel m)
    {
        h.Element("h2", "Specification").Open("dl", ("class", "spec"), ("id", "spec"));
        foreach (var f in m.Spec) h.Element("dt", f.Name).Element("dd", f.Value);
        h.Close();
    }

    static void Progress(HtmlWriter h, SweepReportModel m)
    {
        h.Element("h2", "Progress and timing").Open("table", ("id", "progress")).Open("tbody");
        Row(h, "status", m.Status);
        Row(h, "experiments", m.Total.ToString(Invariant));
        foreach (var p in m.Phases) Row(h, p.Name.ToLowerInvariant(), p.Value);
        Row(h, "submitted", Time(m.SubmittedAt));
        Row(h, "finished", m.FinishedAt is { } f ? Time(f) : "not yet");
        if (m.FinishedAt is { } end) Row(h, "wall time", Duration((end - m.SubmittedAt).TotalSeconds));
        Row(h, "total slot time", Duration(m.SlotSeconds));
        Row(h, "utilisation", m.Utilisation);
        h.Close().Close();

        static void Row(HtmlWriter h, string name, string value) => h.Open("tr").Element("th", name).Element("td", value).Close();
    }

    static void Results(HtmlWriter h, SweepReportModel m)
    {
        var pivot = m.Pivot;
        h.Element("h2", "Results");
        h.Open("p").Element("label", "Filter rows: ", ("for", "filter"))
            .Void("input", ("type", "search"), ("id", "filter"), ("placeholder", "e.g. dlif, 0.5 or unreliable"))
            .Text(" Click a column heading to sort (again: descending).").Close();
        if (pivot.Rows.Count == 0)
        {
            h.Element("p", "No completed experiment yet.", ("id", "no-results"));
            return;
        }
        h.Element("p", $"One row per grid point; each cell is the mean accuracy over seeds [95% interval]. The second line " +
                       $"of a cell is the difference to the baseline twin (alpha {PivotFormat.Alpha(pivot.BaselineAlpha)}, same images) " +
                       "in points and its exact McNemar p-value; * marks p < 0.05. worst-case: an image counts only if it is " +
                       "right clean and under every attack at that eps. Red cells are unreliable (a check doubts that attack's number).");
        if (m.BudgetNote is { } budget) h.Element("p", budget, ("class", "budget-note"));
        h.Open("table", ("id", "pivot"), ("class", "sortable filterable")).Open("thead").Open("tr");
        foreach (var name in new[] { "dataset", "architecture", "neuron", "mode", "alpha", "seeds x images" }) h.Element("th", name);
        foreach (var c in pivot.Columns)
            h.Element("th", c.Header, ("data-measure", c.Header), ("class", c.IsWorstCase ? "worst" : null));
        h.Element("th", "masking flags");
        h.Close().Close().Open("tbody");
        for (var i = 0; i < pivot.Rows.Count; i++)
        {
            var r = pivot.Rows[i];
            var flagged = r.Flagged > 0;
            h.Open("tr", ("data-point", $"{r.Dataset}/{r.Architecture}/{r.Neuron}/{r.Mode}/a{PivotFormat.Alpha(r.Alpha)}"),
                ("class", flagged ? "flagged" : null));
            h.Element("td", r.Dataset).Element("td", r.Architecture).Element("td", r.Neuron).Element("td", r.Mode)
                .Element("td", PivotFormat.Alpha(r.Alpha), ("class", "num"), ("data-sort", r.Alpha.ToString("R", Invariant)))
                .Element("td", $"{r.Seeds} x {r.Examples}", ("class", "num"), ("data-sort", r.Seeds.ToString(Invariant)));
            for (var c = 0; c < pivot.Columns.Count; c++) Cell(h, pivot.Columns[c], r.Cells[c], r);
            var messages = m.RowMessages[i];
            h.Element("td", flagged ? $"{r.Flagged} of {r.Seeds} seeds: {string.Join(", ", r.Flags)}" : "-",
                ("class", "flags"), ("title", messages.Count > 0 ? string.Join("\n", messages) : null),
                ("data-flags", string.Join(" ", r.Flags)));
            h.Close();
        }
        h.Close().Close();

        if (m.Flags.Count > 0)
        {
            h.Element("h3", "Masking checks that fired").Open("ul", ("id", "flag-notes"));
            foreach (var f in m.Flags)
            {
                h.Open("li", ("data-flag", f.Code)).Element("b", f.Code).Text($": fires when {f.Meaning}.").Open("ul");
                foreach (var message in f.Messages) h.Element("li", message);
                h.Close().Close();
            }
            h.Close();
        }
    }

    static void Cell(HtmlWriter h, PivotColumn column, ResultRow? cell, PivotRow row)
    {
        if (cell is null)
        {
            h.Element("td", "-", ("class", "cell muted"), ("data-sort", "-1"), ("data-measure", column.Header));
            return;
        }
        var classes = "cell" + (column.IsWorstCase ? " worst" : "") + (cell.Unreliable ? " unreliable" : "") + (cell.Significant ? " significant" : "");
        var title = cell.Unreliable
            ? $"unreliable: a masking check fired at this epsilon ({string.Join(", ", row.Flags)}); the standard gradient attacks there may overstate robustness"
            : null;
        h.Open("td", ("class", classes), ("data-measure", column.Header), ("data-sort", cell.Mean.ToString("R", Invariant)),
            ("data-mean", PivotFormat.Percent(cell.Mean)), ("data-low", PivotFormat.Percent(cell.Interval.Low)),
            ("data-high", PivotFormat.Percent(cell.Interval.High)), ("title", title));
        h.Element("span", PivotFormat.Accuracy(cell), ("class", "acc"));
        if (cell.Unreliable) h.Element("span", " unreliable", ("class", "unreliable-mark"));
        if (cell.Delta is not null)
            h.Element("span", PivotFormat.Paired(cell), ("class", cell.Significant ? "paired sig" : "paired"),
                ("data-p", cell.PValue?.ToString("R", Invariant)));
        h.Close();
    }

    static void Plots(HtmlWriter h, SweepReportModel m)
    {
        if (m.Plots.Count == 0) return;
        h.Element("h2", "Plots");
        foreach (var p in m.Plots) Image(h, p, "plot");
    }

    static void Attempts(HtmlWriter h, SweepReportModel m)
    {
        h.Element("h2", "Attempts");
        if (m.Timeline is { } t) Image(h, t, "timeline");
        if (m.Attempts.Count == 0)
        {
            h.Element("p", "No finished attempt yet.");
            return;
        }
        var from = m.SubmittedAt;
        h.Open("table", ("id", "attempts"), ("class", "sortable filterable")).Open("thead").Open("tr");
        foreach (var name in new[] { "experiment", "attempt", "node", "slot", "started (min after submission)", "seconds", "exit" }) h.Element("th", name);
        h.Close().Close().Open("tbody");
        foreach (var a in m.Attempts)
        {
            var seconds = (a.End - a.Start).TotalSeconds;
            var started = (a.Start - from).TotalMinutes;
            // A trial pausing at its search rung ended as asked: only interrupted attempts are marked.
            h.Open("tr", ("class", Enum.TryParse<ExitReason>(a.Exit, out var exit) && exit.EndedAsAsked() ? null : "unreliable"))
                .Element("td", a.Experiment).Element("td", a.Attempt.ToString(Invariant), ("class", "num"))
                .Element("td", a.Node).Element("td", a.Slot)
                .Element("td", started.ToString("F2", Invariant), ("class", "num"), ("data-sort", started.ToString("R", Invariant)), ("title", Time(a.Start)))
                .Element("td", seconds.ToString("F1", Invariant), ("class", "num"), ("data-sort", seconds.ToString("R", Invariant)))
                .Element("td", a.Exit)
                .Close();
        }
        h.Close().Close();
    }

    static void Failures(HtmlWriter h, SweepReportModel m)
    {
        h.Element("h2", "Failed experiments");
        if (m.Failures.Count == 0)
        {
            h.Element("p", "None.", ("id", "no-failures"));
            return;
        }
        h.Open("table", ("id", "failures"), ("class", "sortable")).Open("thead").Open("tr");
        foreach (var name in new[] { "experiment", "phase", "attempts", "reason" }) h.Element("th", name);
        h.Close().Close().Open("tbody");
        foreach (var f in m.Failures)
            h.Open("tr").Element("td", f.Experiment).Element("td", f.Phase).Element("td", f.Attempts.ToString(Invariant), ("class", "num"))
                .Element("td", f.Reason).Close();
        h.Close().Close();
    }

    static void Image(HtmlWriter h, ReportImage image, string kind)
    {
        h.Open("figure", ("class", kind)).Element("h3", image.Title)
            .Void("img", ("src", "data:image/png;base64," + Convert.ToBase64String(image.Png)), ("alt", image.Title))
            .Element("figcaption", image.Caption, ("class", "muted")).Close();
    }

    static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Invariant);

    static string Duration(double seconds) =>
        TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 86400 ? @"d\.hh\:mm\:ss" : seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", Invariant);
}
