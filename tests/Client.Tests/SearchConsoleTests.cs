using System.Globalization;
using Spectre.Console;
using StableSnn.Client.Commands;
using StableSnn.Client.Results;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Tests;

/// <summary>A search on the console (results and run, watch, explain) as a redirected stdout gets it.</summary>
public sealed class SearchConsoleTests
{
    static string[] Render(Action<IAnsiConsole> print) => ConsoleCapture.Render(print);

    static string[] Cells(string line) => line.Split('│').Select(c => c.Trim()).ToArray();

    static string Pct(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The table's trial rows, each as its cells by column heading.</summary>
    static List<Dictionary<string, string>> Rows(string[] lines)
    {
        var header = Cells(lines.Single(l => l.Contains("│ trial")));
        return lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^│ t\d{3} "))
            .Select(l => header.Zip(Cells(l)).Where(x => x.First != "").ToDictionary(x => x.First, x => x.Second)).ToList();
    }

    [Fact]
    public void Trials_table_ranks_by_objective_puts_stopped_trials_after_and_lists_the_front()
    {
        var sample = new SearchSample();

        var lines = Render(c => SearchView.Print(sample.Snapshot, c));

        var rows = Rows(lines);
        Assert.Equal(SearchSample.Trials, rows.Count);
        var robustColumn = rows[0].Keys.Single(k => k.StartsWith("robust %", StringComparison.Ordinal));
        Assert.Equal("robust % (worst-case 8/255)", robustColumn);
        // Completed first, by objective: feasible ones by robust accuracy, the one under the floor after them.
        var completed = sample.Outcomes
            .OrderByDescending(o => o.Value.CleanAccuracy >= SearchSample.Floor ? o.Value.WorstCases[0].Accuracy : o.Value.WorstCases[0].Accuracy - 1)
            .Select(o => $"t{o.Key:D3}").ToList();
        Assert.Equal(completed, rows.Take(completed.Count).Select(r => r["trial"]));
        foreach (var r in rows.Take(completed.Count))
        {
            var o = sample.Outcomes[int.Parse(r["trial"][1..], CultureInfo.InvariantCulture)];
            Assert.Equal(Pct(o.WorstCases[0].Accuracy), r[robustColumn]);
            Assert.Equal(Pct(o.CleanAccuracy), r["clean %"]);
            Assert.Equal(o.CleanAccuracy < SearchSample.Floor, r["notes"].Contains("under the clean floor"));
        }
        Assert.Contains("best", rows[0]["notes"]);
        Assert.Equal($"t{sample.Best:D3}", rows[0]["trial"]);
        Assert.Single(rows, r => r["notes"].Contains("best"));

        // Then the stopped ones, marked with their rung, the furthest rung first; the failed and running last.
        var stopped = rows.Skip(completed.Count).Take(sample.Stopped.Count()).ToList();
        Assert.Equal(sample.Stopped.OrderByDescending(s => s.Rung).Select(s => s.Rung), stopped.Select(r => int.Parse(r["status"][^1..], CultureInfo.InvariantCulture)));
        foreach (var r in stopped)
        {
            var t = int.Parse(r["trial"][1..], CultureInfo.InvariantCulture);
            Assert.Equal($"stopped at rung {sample.Stopped.Single(s => s.Trial == t).Rung}", r["status"]);
            Assert.Equal("-", r[robustColumn]);
        }
        Assert.Equal(["failed", "running"], rows.TakeLast(2).Select(r => r["status"]));
        // The stopped trial whose score is one lower says why.
        Assert.Equal([$"t{SearchSample.UnderFloorAtRung0:D3}"], rows.Where(r => r["notes"].Contains("validation under the clean floor")).Select(r => r["trial"]));

        Assert.DoesNotContain(lines, l => l.Contains("warning"));
        var front = lines.Single(l => l.StartsWith("Pareto front", StringComparison.Ordinal));
        foreach (var t in sample.Front) Assert.Contains($"t{t:D3}", front);
        Assert.Equal(sample.Front.Count, front.Split(';').Length);
        Assert.Contains(lines, l => l.StartsWith($"budget: {SearchSample.Trials} of {SearchSample.Trials} trials", StringComparison.Ordinal));
    }

    [Fact]
    public void A_doubted_best_trial_gets_a_warning_line_naming_it()
    {
        var sample = new SearchSample(doubtBest: true);

        var lines = Render(c => SearchView.Print(sample.Snapshot, c));

        var key = sample.Trial(sample.Best).Key;
        var warning = lines.Single(l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains($"t{sample.Best:D3}", warning);
        Assert.Contains("masking checks fired", warning);
        Assert.Contains($"stablesnn explain {key}", warning);
        Assert.EndsWith("doubted", Rows(lines)[0].Single(c => c.Key.StartsWith("robust", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void Watch_shows_each_rung_the_best_so_far_and_the_budget_used()
    {
        var sample = new SearchSample();

        var lines = SearchView.WatchLines(sample.Snapshot).Select(Markup.Remove).ToList();

        int Reported(int rung) => sample.Scores.Count(s => s.Value.ContainsKey(rung));
        int StoppedAt(int rung) => sample.Stopped.Count(s => s.Rung == rung);
        Assert.Equal($"rung 0, 1 epoch: {Reported(0)} reported, {Reported(1)} promoted, {StoppedAt(0)} stopped, 1 on the way", lines[0]);
        Assert.Equal($"rung 1, 2 epochs: {Reported(1)} reported, {sample.Outcomes.Count} promoted, {StoppedAt(1)} stopped", lines[1]);
        Assert.Equal($"rung 2, 4 epochs: {sample.Outcomes.Count} completed", lines[2]);
        var best = sample.Outcomes[sample.Best];
        Assert.StartsWith($"best so far: t{sample.Best:D3} (alpha ", lines[3]);
        Assert.EndsWith($"robust {Pct(best.WorstCases[0].Accuracy)}% / clean {Pct(best.CleanAccuracy)}%", lines[3]);
        var hours = (sample.SlotSeconds.Values.Sum() / 3600).ToString("0.00", CultureInfo.InvariantCulture);
        Assert.Matches($@"^budget: 14 of 14 trials, \d+ of 60 trainer-epochs, {System.Text.RegularExpressions.Regex.Escape(hours)} of 2 slot-hours; budget spent", lines[4]);

        var doubted = SearchView.WatchLines(new SearchSample(doubtBest: true).Snapshot)[3];
        Assert.StartsWith("[red]", doubted);
        Assert.EndsWith("(doubted: masking checks fired)", Markup.Remove(doubted));
    }

    [Fact]
    public void Watch_summary_counts_stopped_trials_only_for_a_search_and_tells_paused_ones_apart()
    {
        var s = new SweepSnapshot { Name = "hunt", Total = 14, Counts = [1, 0, 1, 0, 4, 1, 0, 7] };
        // 7 in the Stopped phase: 2 of them paused at their rung (waiting for the cohort or held), still eligible.
        var search = new SearchSnapshot
        {
            Trials = [.. Enumerable.Range(0, 7).Select(t => new TrialSnapshot { Number = t, Phase = ExperimentPhase.Stopped, Paused = t < 2 })],
        };

        Assert.Equal("4 completed, 1 failed, 0 cancelled, 5 stopped, 2 paused at a rung, 1 running, 1 waiting of 14 trials so far",
            SweepWatcher.Summary(s, search));
        Assert.Equal("4 completed, 1 failed, 0 cancelled, 1 running, 1 waiting of 14", SweepWatcher.Summary(s));
    }

    static ExperimentSnapshot Experiment(TrialSnapshot t) => new()
    {
        Key = t.Key, Phase = t.Phase,
        Attempts =
        [
            new AttemptRecord
            {
                Number = 1, Node = "node-a", Slot = "cpu0", ExitReason = ExitReason.RungReached,
                LastCheckpoint = $"/srv/artifacts/{t.Key}/checkpoints/epoch-0001.pt",
            },
        ],
    };

    [Fact]
    public void Explain_shows_a_stopped_trial_with_its_rungs_decisions_and_kept_checkpoint()
    {
        var sample = new SearchSample();
        var (number, rung) = sample.Stopped.First(s => s.Rung == 1);
        var trial = sample.Trial(number);

        var lines = Render(c => SearchView.Explain(c, sample.Snapshot, trial, Experiment(trial), searchEnded: false));

        Assert.Contains($"search trial t{number:D3} (asha): alpha ", lines[0]);
        Assert.Contains("time steps", lines[0]);
        // The plan as submitted: 14 trials (funnel 14, 7, 3 at 1, 2, 4 epochs: 7 + 8 + 12 = 27 trainer-epochs, within the 60); the
        // sample is built in code, so its rungs are asynchronous.
        Assert.Equal("plan: asha: 14 trials (budget.experiments 14); 14 at 1 epoch -> 7 at 2 epochs -> 3 at 4 epochs; 3 finish", lines[1].Trim());
        Assert.Equal("rungs: asynchronous, each report decided at once against the reports so far (a search stored before cohorts existed, or built without a spec file)", lines[2].Trim());
        var cohorts = sample.Snapshot with { Spec = sample.Snapshot.Spec with { Asha = sample.Snapshot.Spec.Asha with { Cohorts = "auto" } } };
        Assert.Contains(Render(c => SearchView.Explain(c, cohorts, trial, Experiment(trial), searchEnded: false)),
            l => l.Trim() == "rungs: synchronous cohorts of 14, 7 trials; each rung decides for all its trials once all have reported, so arrival order does not matter");
        Assert.Equal(["rung", "epoch", "validation %", "probe robust %", "score"], Cells(lines.Single(l => l.Contains("│ rung"))).Where(c => c != ""));
        var rungRows = lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"│ [01]\s+│")).Select(Cells).ToList();
        Assert.Equal(2, rungRows.Count);
        for (var k = 0; k < 2; k++)
        {
            var probe = (k == 0 ? SearchSample.ProbeAtRung0 : SearchSample.ProbeAtRung1)[number];
            Assert.Equal(k.ToString(CultureInfo.InvariantCulture), rungRows[k][1]);
            Assert.Equal((1 << k).ToString(CultureInfo.InvariantCulture), rungRows[k][2]);
            Assert.Equal($"{Pct(probe)} (PGD-10 8/255, 256 images)", rungRows[k][4]);
            Assert.Equal(sample.Scores[number][k].ToString("0.####", CultureInfo.InvariantCulture), rungRows[k][5]);
        }
        // Every decision, in order: promoted at rung 0, then whatever rung 1 decided.
        var decisions = lines.Where(l => l.TrimStart().StartsWith("decision: ", StringComparison.Ordinal)).Select(l => l.Trim()["decision: ".Length..]).ToList();
        Assert.Equal(trial.Decisions, decisions);
        Assert.StartsWith("promoted from rung 0", decisions[0]);
        Assert.Matches(@"^(stopped|held|paused) at rung 1 \(2 epochs\)", decisions[^1]);

        var stop = lines.Single(l => l.Contains("its checkpoint"));
        Assert.Contains("stopped at rung 1 (2 epochs)", stop);
        Assert.Contains($"under its artifact directory /srv/artifacts/{trial.Key} on node-a", stop);
        Assert.Contains("can still be promoted while the search runs", stop);
        Assert.DoesNotContain(lines, l => l.Contains("objective:"));

        var ended = Render(c => SearchView.Explain(c, sample.Snapshot, trial, Experiment(trial), searchEnded: true));
        Assert.Contains(ended, l => l.Contains("the search ended with it stopped") && l.Contains("stopped at rung 1 (2 epochs)"));
        Assert.DoesNotContain(ended, l => l.Contains("can still be promoted"));
    }

    [Fact]
    public void Explain_shows_a_completed_trials_objective_with_floor_and_doubt()
    {
        var sample = new SearchSample(doubtBest: true);
        var best = sample.Trial(sample.Best);
        var underFloor = sample.Trial(sample.Outcomes.Single(o => o.Value.CleanAccuracy < SearchSample.Floor).Key);

        var bestLines = Render(c => SearchView.Explain(c, sample.Snapshot, best, Experiment(best), searchEnded: true));
        var floorLines = Render(c => SearchView.Explain(c, sample.Snapshot, underFloor, Experiment(underFloor), searchEnded: true));

        var o = sample.Outcomes[sample.Best];
        var objective = bestLines.Single(l => l.Contains("objective:"));
        Assert.Contains($"robust {Pct(o.WorstCases[0].Accuracy)}% (worst-case), clean {Pct(o.CleanAccuracy)}%, meets the clean floor 50.0%", objective);
        Assert.Contains("doubted: masking checks fired", objective);
        Assert.StartsWith("completed at rung 2 (4 epochs)", bestLines.Last(l => l.Contains("decision:")).Trim()["decision: ".Length..]);
        Assert.Contains("- (last rung: the objective)", bestLines.Single(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"│ 2\s+│ 4 ")));
        Assert.Contains(floorLines, l => l.Contains("objective:") && l.Contains("under the clean floor 50.0%") && !l.Contains("doubted"));
        Assert.DoesNotContain(bestLines.Concat(floorLines), l => l.Contains("checkpoint"));
    }
}
