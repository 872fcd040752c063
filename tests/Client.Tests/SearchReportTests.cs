using System.Globalization;
using System.Text.RegularExpressions;
using StableSnn.Client.Results;
using StableSnn.Grains.Model;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

/// <summary>report.html's search section, rendered in headless Chromium; a sweep without a search keeps the page it had.</summary>
public sealed class SearchReportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    static SweepData Data(SearchSample sample)
    {
        var data = ReportSamples.Data();
        var counts = new int[Enum.GetValues<ExperimentPhase>().Length];
        foreach (var phase in sample.Phases.Values) counts[(int)phase]++;
        return data with { Search = sample.Snapshot, Snapshot = data.Snapshot with { Total = SearchSample.Trials, Counts = counts } };
    }

    [Fact]
    public void Search_section_ranks_the_trials_marks_best_and_stopped_shows_the_budget_and_both_plots()
    {
        var sample = new SearchSample(doubtBest: true);
        var path = _dir.File("report.html");
        SweepReport.Write(SweepReport.Build(Data(sample), DateTimeOffset.UtcNow), path);

        var dom = HeadlessChromium.DumpDom(path);

        Assert.Contains("data-script=\"ready\"", dom);
        Assert.Contains("<h2>Search</h2>", dom);
        Assert.True(dom.IndexOf("<h2>Search</h2>", StringComparison.Ordinal) < dom.IndexOf("<h2>Results</h2>", StringComparison.Ordinal));
        var spec = Regex.Match(dom, "<dl class=\"spec\" id=\"search-spec\">(.*?)</dl>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<dt>algorithm</dt><dd>asha</dd>", spec);
        Assert.Contains($"<dt>budget used</dt><dd>{SearchTable.BudgetUsed(sample.Snapshot)}</dd>", spec);
        Assert.Contains("<dt>rungs</dt><dd>0: 1 epoch, 1: 2 epochs, 2: 4 epochs", spec);
        Assert.Matches("<th>stopped</th><td>" + sample.Stopped.Count() + "</td>", dom);

        // One row per trial: the completed by objective, then the stopped, furthest rung first, then the rest.
        var rows = Regex.Matches(dom, "<tr data-trial=\"(\\d+)\" data-status=\"([^\"]*)\"(?: class=\"([^\"]*)\")?>").ToList();
        Assert.Equal(SearchSample.Trials, rows.Count);
        var completed = sample.Outcomes.OrderByDescending(o => o.Value.CleanAccuracy >= SearchSample.Floor ? o.Value.WorstCases[0].Accuracy : o.Value.WorstCases[0].Accuracy - 1)
            .Select(o => o.Key.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(completed, rows.Take(sample.Outcomes.Count).Select(r => r.Groups[1].Value));
        var stopped = rows.Skip(sample.Outcomes.Count).Take(sample.Stopped.Count()).ToList();
        foreach (var r in stopped)
        {
            var t = int.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal($"stopped at rung {sample.Stopped.Single(s => s.Trial == t).Rung}", r.Groups[2].Value);
            Assert.Contains("stopped", r.Groups[3].Value);
        }
        Assert.Equal(sample.Stopped.OrderByDescending(s => s.Rung).Select(s => s.Rung), stopped.Select(r => r.Groups[2].Value[^1] - '0'));
        Assert.Equal([sample.Best.ToString(CultureInfo.InvariantCulture)], rows.Where(r => r.Groups[3].Value.Contains("best")).Select(r => r.Groups[1].Value));
        Assert.Contains("doubted", rows[0].Groups[3].Value);
        Assert.Contains($"The best trial, t{sample.Best:D3}, is in doubt", dom);

        var front = Regex.Matches(Regex.Match(dom, "<ol id=\"pareto\">(.*?)</ol>", RegexOptions.Singleline).Value, "<li data-trial=\"(\\d+)\"")
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(sample.Front.OrderByDescending(t => sample.Outcomes[t].CleanAccuracy), front);
        Assert.Equal(2, Regex.Matches(dom, "<figure class=\"search-plot\"><h3>[^<]+</h3><img src=\"data:image/png;base64,").Count);

        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "search");
        Directory.CreateDirectory(artifacts);
        File.Copy(path, Path.Combine(artifacts, "report.html"), overwrite: true);
        HeadlessChromium.Screenshot(path, Path.Combine(artifacts, "report.png"), 1400, 2600);
    }

    [Fact]
    public void A_sweep_without_a_search_has_no_search_section_and_no_stopped_phase()
    {
        var html = ReportHtml.Render(SweepReport.Build(ReportSamples.Data(), DateTimeOffset.UtcNow));

        Assert.DoesNotContain("<h2>Search</h2>", html);
        Assert.DoesNotContain("search-trials", html);
        Assert.DoesNotContain("<th>stopped</th>", html);
        Assert.Contains("<th>completed</th><td>4</td>", html);
    }
}
