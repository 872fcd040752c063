using System.Globalization;
using StableSnn.Client.Commands;
using StableSnn.Client.Results;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

/// <summary>search-trials.csv and pareto.csv of a search driven through the engine's policy (<see cref="SearchSample"/>).</summary>
public sealed class SearchExportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>The CSV as rows of named fields (no field here needs quoting).</summary>
    static List<Dictionary<string, string>> Read(string path)
    {
        var lines = File.ReadAllText(path).Split('\n');
        Assert.Equal("", lines[^1]); // ends with a newline
        var header = lines[0].Split(',');
        return lines[1..^1].Select(l => l.Split(',')).Select(f =>
        {
            Assert.Equal(header.Length, f.Length);
            return header.Zip(f).ToDictionary(x => x.First, x => x.Second);
        }).ToList();
    }

    [Fact]
    public void Trials_csv_has_a_line_per_trial_with_its_status_rung_scores_objective_and_flags()
    {
        var sample = new SearchSample();
        var path = _dir.File("out/search-trials.csv");

        SearchExport.WriteTrialsCsv(sample.Snapshot, path);

        Assert.Equal("trial,experiment,alpha,learning_rate,time_steps,status,epochs,rung_0_epoch_1_score,rung_1_epoch_2_score,rung_2_epoch_4_score," +
                     "objective_robust,objective_clean,objective_measure,feasible,doubted,on_pareto_front,best,slot_seconds",
            File.ReadAllLines(path)[0]);
        var rows = Read(path);
        Assert.Equal(Enumerable.Range(0, SearchSample.Trials).Select(t => t.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r["trial"]));
        var stopped = sample.Stopped.ToDictionary(x => x.Trial, x => x.Rung);
        Assert.Contains(0, stopped.Values); // the sample stops trials at both inner rungs
        Assert.Contains(1, stopped.Values);
        foreach (var row in rows)
        {
            var t = int.Parse(row["trial"], CultureInfo.InvariantCulture);
            var point = sample.Trial(t).Point;
            Assert.Equal(point.ExperimentKey(SearchSample.Sweep), row["experiment"]);
            Assert.StartsWith($"{SearchSample.Sweep}/mnist/small-cnn/lif/at/t{t:D3}-a", row["experiment"]);
            Assert.Equal(point.Alpha, D(row["alpha"]));
            Assert.Equal(point.LearningRate, D(row["learning_rate"]));
            Assert.Contains(row["time_steps"], new[] { "4", "6" });
            Assert.Equal(sample.SlotSeconds[t], D(row["slot_seconds"]));

            var expectedStatus = sample.Phases[t] switch
            {
                ExperimentPhase.Completed => "completed",
                ExperimentPhase.Stopped => $"stopped at rung {stopped[t]}",
                ExperimentPhase.Failed => "failed",
                _ => "running",
            };
            Assert.Equal(expectedStatus, row["status"]);

            // Inner rungs: exactly the scores reported (probe robust accuracy, one lower under the clean floor).
            var scores = sample.Scores.GetValueOrDefault(t) ?? [];
            for (var k = 0; k < 2; k++)
                Assert.Equal(scores.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "", row[$"rung_{k}_epoch_{1 << k}_score"]);
            Assert.Equal(sample.Phases[t] == ExperimentPhase.Stopped ? 1 << stopped[t] : sample.Phases[t] == ExperimentPhase.Completed ? 4 : 1,
                int.Parse(row["epochs"], CultureInfo.InvariantCulture));

            if (sample.Outcomes.TryGetValue(t, out var o))
            {
                var robust = o.WorstCases[0].Accuracy;
                Assert.Equal(robust, D(row["objective_robust"]));
                Assert.Equal(o.CleanAccuracy, D(row["objective_clean"]));
                Assert.Equal("worst-case", row["objective_measure"]);
                Assert.Equal(o.CleanAccuracy >= SearchSample.Floor ? "true" : "false", row["feasible"]);
                Assert.Equal(o.CleanAccuracy >= SearchSample.Floor ? robust : robust - 1, D(row["rung_2_epoch_4_score"]), 12);
            }
            else
                foreach (var column in new[] { "objective_robust", "objective_clean", "objective_measure", "feasible", "doubted", "rung_2_epoch_4_score" })
                    Assert.Equal("", row[column]);
            Assert.Equal(t == sample.Best ? "true" : "false", row["best"]);
            Assert.Equal(sample.Front.Contains(t) ? "true" : "false", row["on_pareto_front"]);
        }
        Assert.Equal(SearchSample.ProbeAtRung0[SearchSample.UnderFloorAtRung0] - 1, D(rows[SearchSample.UnderFloorAtRung0]["rung_0_epoch_1_score"]), 12);
        Assert.Equal("false", rows.Single(r => r["best"] == "true")["doubted"]);

        SearchExport.WriteTrialsCsv(new SearchSample(doubtBest: true).Snapshot, path);
        Assert.Equal("true", Read(path).Single(r => r["best"] == "true")["doubted"]);
    }

    [Fact]
    public void Pareto_csv_lists_the_front_clean_first()
    {
        var sample = new SearchSample();
        var path = _dir.File("pareto.csv");

        SearchExport.WriteParetoCsv(sample.Snapshot, path);

        Assert.Equal(SearchExport.ParetoHeader, File.ReadAllLines(path)[0]);
        var rows = Read(path);
        Assert.True(sample.Front.Count >= 2, "the sample should have a front of at least two trials");
        Assert.True(sample.Outcomes.Count > sample.Front.Count, "and a completed trial off it");
        Assert.Equal(sample.Front.OrderByDescending(t => sample.Outcomes[t].CleanAccuracy).Select(t => t.ToString(CultureInfo.InvariantCulture)),
            rows.Select(r => r["trial"]));
        foreach (var r in rows)
        {
            var o = sample.Outcomes[int.Parse(r["trial"], CultureInfo.InvariantCulture)];
            Assert.Equal(o.CleanAccuracy, D(r["clean"]));
            Assert.Equal(o.WorstCases[0].Accuracy, D(r["robust"]));
        }
    }

    [Fact]
    public void A_grid_search_has_no_rung_columns_and_no_budget()
    {
        var spec = new SearchSpec { Algorithm = "grid", Objective = new SearchObjective { Epsilon255 = 8 } };
        var trials = new[] { 0.0, 0.5 }.Select((alpha, i) => new TrialSnapshot
        {
            Number = i, Key = $"g/mnist/small-cnn/lif/at/a{alpha}/s1", Point = new GridPoint("mnist", "small-cnn", "lif", "at", alpha, 1),
            Phase = i == 0 ? ExperimentPhase.Completed : ExperimentPhase.Training, Epochs = 3,
            Objective = i == 0 ? new ObjectiveValue(0.3, "worst-case", 0.9, true, false) : null,
        }).ToArray();
        var snapshot = SearchRun.Summarise(spec, trials, [], 6, 0, budgetSpent: true);
        var path = _dir.File("grid.csv");

        SearchExport.WriteTrialsCsv(snapshot, path);

        var rows = Read(path);
        Assert.DoesNotContain(rows[0].Keys, k => k.StartsWith("rung", StringComparison.Ordinal));
        Assert.Equal(["completed", "running"], rows.Select(r => r["status"]));
        Assert.Equal(["", ""], rows.Select(r => r["learning_rate"]));
        Assert.Equal(["true", "false"], rows.Select(r => r["best"]));
        Assert.Equal("2 grid points (a grid search runs its grid; no budget)", SearchTable.BudgetUsed(snapshot));
    }

    [Fact]
    public void Results_folder_gets_both_csv_files_and_both_plots()
    {
        var sample = new SearchSample();

        var files = ResultsView.WriteSearch(sample.Snapshot, _dir.File("results"));

        Assert.Equal([SearchExport.TrialsFile, SearchExport.ParetoFile, SearchPlots.AlphaFile, SearchPlots.ParetoFile], files.Select(Path.GetFileName));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Empty(Directory.GetFiles(_dir.File("results"), "*.tmp")); // atomic writes leave no temporary behind
    }
}
