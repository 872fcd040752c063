using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using StableSnn.Client.Results;
using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;
using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Client.Tests;

/// <summary>
/// A finished sweep built by hand (two neurons x two alphas, one seed, 40 images, FGSM and PGD at 8/255 and their
/// worst case; dlif at alpha 1 flagged with its PGD unreliable; one experiment failed), so every number the report
/// should show can be computed here from the counts.
/// </summary>
internal static class ReportSamples
{
    public const int Images = 40;
    public const double Eps = 8.0 / 255;

    /// <summary>Correct-image counts per experiment: clean, fgsm, pgd, worst case (the first k images are the correct ones).</summary>
    public static readonly Dictionary<(string Neuron, double Alpha), (int Clean, int Fgsm, int Pgd, int Worst)> Counts = new()
    {
        [("lif", 0)] = (36, 14, 8, 6),
        [("lif", 1)] = (35, 22, 19, 18),
        [("dlif", 0)] = (37, 15, 9, 7),
        [("dlif", 1)] = (34, 20, 28, 12),
    };

    public const string FlagMessage = "stronger-attack-found: square broke 16 of the 28 images pgd left correct (McNemar p=3.1e-5)";

    static string Mask(int correct) => ExampleMask.Pack(Enumerable.Range(0, Images).Select(i => i < correct).ToArray());

    static AttackAccuracy Measure(string attack, double eps, int correct, bool unreliable = false) =>
        new(attack, eps, (double)correct / Images, Images, false) { Mask = Mask(correct), Unreliable = unreliable };

    public static CompletedExperiment Row(string neuron, double alpha)
    {
        var c = Counts[(neuron, alpha)];
        var flagged = neuron == "dlif" && alpha == 1;
        var point = new GridPoint("mnist", "small-cnn", neuron, "at", alpha, 1);
        return new CompletedExperiment(point.ExperimentKey("demo"), point, new ExperimentOutcome
        {
            CleanAccuracy = (double)c.Clean / Images, Examples = Images, CleanMask = Mask(c.Clean),
            Attacks =
            [
                Measure("fgsm", Eps, c.Fgsm, flagged), Measure("pgd", Eps, c.Pgd, flagged),
                new AttackAccuracy("pgd-huge-eps", 1, 0, Images, true),
            ],
            WorstCases = [Measure(WorstCase.Label, Eps, c.Worst)],
            MaskingFlags = flagged ? ["stronger-attack-found"] : [],
            MaskingMessages = flagged ? [FlagMessage] : [],
            Checkpoint = "/ckpt/best.pt", TrainSeconds = 10, TotalSeconds = 12,
        });
    }

    public static SweepData Data()
    {
        var rows = Counts.Keys.Select(k => Row(k.Neuron, k.Alpha)).ToArray();
        var submitted = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var attempts = rows.Select((r, i) => new AttemptSpan(r.Key, 1, "node-a", $"cpu{i % 2}",
                submitted.AddSeconds(5 + 30 * (i / 2)), submitted.AddSeconds(30 + 30 * (i / 2)), "Success"))
            .Append(new AttemptSpan("demo/mnist/small-cnn/lif/at/a2/s1", 1, "node-a", "cpu0", submitted.AddSeconds(70), submitted.AddSeconds(75), "Crash"))
            .ToList();
        var failed = new ExperimentSnapshot
        {
            Key = "demo/mnist/small-cnn/lif/at/a2/s1", Phase = ExperimentPhase.Failed, Why = "crashed 1 time (max attempts 1)",
            Attempts = [new AttemptRecord { Number = 1, Slot = "cpu0", Node = "node-a", ExitReason = ExitReason.Crash, Message = "trainer exited with 139 <segfault>" }],
        };
        var spec = new SweepSpec
        {
            Name = "demo", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif", "dlif"], Modes = ["at"],
            Alphas = [0, 1, 2], Seeds = [1], Epochs = 3, AttackSuite = "reliable", MaxAttempts = 1,
            Training = new TrainingSettings { BatchSize = 32, TimeSteps = 4, AttackSubset = Images },
        };
        var snapshot = new SweepSnapshot
        {
            Name = "demo", Status = SweepStatus.Completed, Total = 5, Counts = [0, 0, 0, 0, 4, 1, 0, 0], // per ExperimentPhase, Stopped last
            SubmittedAt = submitted, FinishedAt = submitted.AddSeconds(80),
        };
        return new SweepData(spec, snapshot, rows, ResultsTable.Build(rows, spec.BaselineAlpha), attempts,
            SlotUtilisation.Compute(attempts, submitted, submitted.AddSeconds(80), 2), [failed]);
    }
}

public sealed class ReportTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    static string Pct(int correct) => (100.0 * correct / ReportSamples.Images).ToString("F1", CultureInfo.InvariantCulture);

    static string Pct(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The cells of the pivot row of a grid point, by the column they sit in, from the dumped DOM.</summary>
    static Dictionary<string, (string Attributes, string Text)> PivotRow(string dom, string point)
    {
        var row = Regex.Match(dom, $"<tr data-point=\"{Regex.Escape(point)}\"([^>]*)>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"no pivot row for {point}");
        var cells = new Dictionary<string, (string, string)>();
        foreach (Match td in Regex.Matches(row.Groups[2].Value, "<td([^>]*)>(.*?)</td>", RegexOptions.Singleline))
        {
            var measure = Regex.Match(td.Groups[1].Value, "data-measure=\"([^\"]*)\"");
            var text = WebUtility.HtmlDecode(Regex.Replace(td.Groups[2].Value, "<[^>]+>", " "));
            cells[measure.Success ? measure.Groups[1].Value : $"#{cells.Count}"] = (td.Groups[1].Value, Regex.Replace(text, @"\s+", " ").Trim());
        }
        cells["<tr>"] = (row.Groups[1].Value, "");
        return cells;
    }

    [Fact]
    public void Report_rendered_in_headless_chromium_shows_the_pivot_with_intervals_significance_and_flags()
    {
        var data = ReportSamples.Data();
        var path = _dir.File("out/report.html");
        SweepReport.Write(SweepReport.Build(data, DateTimeOffset.UtcNow), path);

        var html = File.ReadAllText(path);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html); // nothing fetched at view time
        Assert.Contains("src=\"data:image/png;base64,", html);

        var dom = HeadlessChromium.DumpDom(path);
        Assert.Contains("data-script=\"ready\"", dom); // the inline script ran
        Assert.Contains("8/255", dom);
        Assert.DoesNotContain("0.031372", dom);
        // Columns: clean, each attack at its epsilon, then the worst case.
        var headers = Regex.Matches(dom, "<th data-measure=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["clean", "fgsm 8/255", "pgd 8/255", "worst-case 8/255"], headers);
        Assert.Equal(4, Regex.Matches(dom, "<tr data-point=").Count); // one row per grid point, the sanity attack left out

        foreach (var ((neuron, alpha), c) in ReportSamples.Counts)
        {
            var cells = PivotRow(dom, $"mnist/small-cnn/{neuron}/at/a{alpha.ToString(CultureInfo.InvariantCulture)}");
            var baseline = ReportSamples.Counts[(neuron, 0)];
            foreach (var (measure, correct, baseCorrect) in new[]
                     {
                         ("clean", c.Clean, baseline.Clean), ("fgsm 8/255", c.Fgsm, baseline.Fgsm),
                         ("pgd 8/255", c.Pgd, baseline.Pgd), ("worst-case 8/255", c.Worst, baseline.Worst),
                     })
            {
                var (attributes, text) = cells[measure];
                var ci = Accuracy.Wilson(correct, ReportSamples.Images);
                Assert.StartsWith($"{Pct(correct)}% [{Pct(ci.Low)}–{Pct(ci.High)}]", text);
                if (alpha == 0)
                {
                    Assert.DoesNotContain("p=", text); // the baseline is not tested against itself
                    continue;
                }
                // Paired against the baseline twin: here every discordant image falls on one side.
                var p = Accuracy.McNemarExact(Math.Max(0, correct - baseCorrect), Math.Max(0, baseCorrect - correct));
                var delta = 100.0 * (correct - baseCorrect) / ReportSamples.Images;
                Assert.Contains($"{(delta >= 0 ? "+" : "-")}{Math.Abs(delta).ToString("F1", CultureInfo.InvariantCulture)} p=", text);
                Assert.Equal(p < 0.05, text.EndsWith('*'));
                Assert.Equal(p < 0.05, attributes.Contains("significant"));
            }
            var flagged = neuron == "dlif" && alpha == 1;
            Assert.Equal(flagged, cells["pgd 8/255"].Attributes.Contains("unreliable"));
            Assert.Equal(flagged, cells["pgd 8/255"].Text.Contains("unreliable"));
            Assert.DoesNotContain("unreliable", cells["worst-case 8/255"].Attributes); // the worst case is never marked
            Assert.Equal(flagged, cells["<tr>"].Attributes.Contains("flagged"));
        }
        // lif at alpha 1: worst case 18 vs 6 of 40, all 12 discordant one way: p = 2 * 0.5^12, significant.
        Assert.EndsWith("*", PivotRow(dom, "mnist/small-cnn/lif/at/a1")["worst-case 8/255"].Text);
        // The flag's reason: in the flags cell's tooltip and in the footnote.
        var flags = PivotRow(dom, "mnist/small-cnn/dlif/at/a1").Values.Single(c => c.Attributes.Contains("class=\"flags\""));
        Assert.Contains("1 of 1 seeds: stronger-attack-found", flags.Text);
        Assert.Contains(WebUtility.HtmlEncode("seed 1: " + ReportSamples.FlagMessage), flags.Attributes);
        Assert.Contains("data-flag=\"stronger-attack-found\"", dom);

        // Spec, progress, timeline and failures.
        Assert.Matches("<dt>alphas</dt><dd>0, 1, 2</dd>", dom);
        Assert.Contains("<dt>attack suite</dt><dd>reliable</dd>", dom);
        Assert.Contains("<dt>measured</dt><dd>clean, fgsm 8/255, pgd 8/255, worst-case 8/255</dd>", dom);
        Assert.Matches("<th>completed</th><td>4</td>", dom);
        Assert.Matches("<th>failed</th><td>1</td>", dom);
        Assert.Matches("<th>total slot time</th><td>1:45</td>", dom); // 4 x 25 s + 5 s
        Assert.Equal(5, Regex.Matches(Regex.Match(dom, "<table id=\"attempts\".*?</table>", RegexOptions.Singleline).Value, "<tr").Count - 1);
        var failures = Regex.Match(dom, "<table id=\"failures\".*?</table>", RegexOptions.Singleline).Value;
        Assert.Contains("demo/mnist/small-cnn/lif/at/a2/s1", failures);
        Assert.Contains("trainer exited with 139 &lt;segfault&gt;", failures); // escaped, not markup
        // The alpha small multiples and the clean-against-robust scatter (one epsilon: no epsilon plot), and the timeline.
        Assert.Equal(2, Regex.Matches(dom, "<figure class=\"plot\"").Count);
        Assert.Single(Regex.Matches(dom, "<figure class=\"timeline\""));
        Assert.Contains("<h3>" + RobustnessPlots.AgainstAlpha(data.Table).Title + "</h3>", dom);
        Assert.Contains("<h3>" + RobustnessPlots.CleanAgainstRobust(data.Table)!.Title + "</h3>", dom);

        // The filter box (set from the URL here) hides the rows without its text.
        var filtered = HeadlessChromium.DumpDom(path, "#filter=dlif");
        Assert.Matches("<tr data-point=\"mnist/small-cnn/lif/at/a0\"[^>]*hidden", filtered);
        Assert.DoesNotMatch("<tr data-point=\"mnist/small-cnn/dlif/at/a0\"[^>]*hidden", filtered);

        // Sorting (the same click handler, triggered from the URL): ascending by the worst case.
        var sorted = HeadlessChromium.DumpDom(path, "#sort=" + Uri.EscapeDataString("worst-case 8/255"));
        var expectedOrder = ReportSamples.Counts.OrderBy(x => x.Value.Worst)
            .Select(x => $"mnist/small-cnn/{x.Key.Neuron}/at/a{x.Key.Alpha.ToString(CultureInfo.InvariantCulture)}");
        Assert.Equal(expectedOrder, Regex.Matches(sorted, "<tr data-point=\"([^\"]*)\"").Select(m => m.Groups[1].Value));
        Assert.Matches("<th data-measure=\"worst-case 8/255\" class=\"worst\" data-dir=\"asc\">", sorted);

        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "report.png");
        File.Delete(screenshot);
        HeadlessChromium.Screenshot(path, screenshot);
        File.Copy(path, Path.Combine(artifacts, "report.html"), overwrite: true);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(screenshot)[..4]);
        output.WriteLine($"screenshot: {screenshot}");
        Console.WriteLine($"report screenshot: {screenshot}");
    }

    [Fact]
    public void A_sweep_without_results_still_gets_a_page()
    {
        var data = ReportSamples.Data() with { Rows = [], Table = [], Attempts = [], Unsuccessful = [] };

        var html = ReportHtml.Render(SweepReport.Build(data, DateTimeOffset.UtcNow));

        Assert.Contains("No completed experiment yet.", html);
        Assert.Contains("No finished attempt yet.", html);
        Assert.Contains("<p id=\"no-failures\">None.</p>", html);
        Assert.DoesNotContain("<figure", html);
    }

    [Fact]
    public void Only_interrupted_attempts_are_marked_in_the_attempts_table_not_a_trial_pausing_at_its_rung()
    {
        var data = ReportSamples.Data();
        var paused = data.Attempts[0] with { Experiment = "demo/mnist/small-cnn/lif/at/t009-a0.1/s1", Exit = "RungReached" };
        var html = ReportHtml.Render(SweepReport.Build(data with { Attempts = [.. data.Attempts, paused] }, DateTimeOffset.UtcNow));

        var rows = Regex.Matches(Regex.Match(html, "<table id=\"attempts\".*?</table>", RegexOptions.Singleline).Value, "<tr[^>]*>.*?</tr>", RegexOptions.Singleline)
            .Select(m => m.Value).Skip(1).ToList(); // the header row first
        Assert.Equal(6, rows.Count);
        var marked = Assert.Single(rows, r => r.StartsWith("<tr class=\"unreliable\"", StringComparison.Ordinal));
        Assert.Contains("Crash", marked);
        Assert.Contains(rows, r => r.Contains("RungReached", StringComparison.Ordinal) && !r.Contains("unreliable", StringComparison.Ordinal));
    }

    [Fact]
    public void Html_writer_escapes_text_and_attributes()
    {
        var html = new HtmlWriter().Open("p", ("title", "a\"<b>")).Text("<script>&").Close().ToString();
        Assert.Equal("<p title=\"a&quot;&lt;b&gt;\">&lt;script&gt;&amp;</p>", html);
    }
}
