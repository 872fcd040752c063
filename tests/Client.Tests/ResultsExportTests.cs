using StableSnn.Grains.Tests.Results;
using StableSnn.Grains.Results;
using StableSnn.Grains.Model;
using System.Text;
using System.Text.Json;
using StableSnn.Client.Results;
using StableSnn.TestSupport;
using StableSnn.Contracts;

namespace StableSnn.Client.Tests;

public sealed class ResultsExportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A minimal RFC 4180 reader, enough to check what the writer produced.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else field.Append(c);
        }
        Assert.False(quoted, "unterminated quoted field");
        Assert.True(field.Length == 0 && record.Count == 0, "last line lacks its newline");
        return records;
    }

    [Fact]
    public void Csv_has_the_header_and_one_line_per_experiment_and_attack()
    {
        var path = _dir.File("results.csv");

        ResultsExport.WriteCsv(ResultSamples.Sweep(), path);

        var records = ParseCsv(File.ReadAllText(path));
        Assert.Equal(ResultsExport.CsvHeader, string.Join(',', records[0]));
        Assert.Equal(
            "experiment,dataset,architecture,neuron,mode,alpha,seed,attack,epsilon,accuracy,clean_accuracy,sanity,masking_flags," +
            "correct,examples,ci_low,ci_high,unreliable,eps_255,baseline_delta,baseline_p,significant,findings,budget",
            ResultsExport.CsvHeader);
        Assert.Equal(1 + 4 * 4, records.Count); // 4 experiments x (clean, fgsm, pgd, sanity)
        Assert.All(records, r => Assert.Equal(24, r.Count));
    }

    [Fact]
    public void Csv_worst_case_line_names_a_reduced_budget_and_every_line_carries_the_findings()
    {
        var path = _dir.File("results.csv");
        var rows = ResultSamples.Sweep();
        rows[0] = rows[0] with
        {
            Outcome = rows[0].Outcome with
            {
                WorstCases = [new AttackAccuracy(WorstCase.Label, 0.1, 0.25, 100, false)],
                Findings = ["standard-overstates", "square-beats-attack"],
                Budget = "reduced",
                BelowStandardBudget = true,
                BudgetDescription = "APGD 20 iterations",
            },
        };

        ResultsExport.WriteCsv(rows, path);

        var lines = ParseCsv(File.ReadAllText(path)).Where(r => r[0] == rows[0].Key).ToList();
        Assert.All(lines, r => Assert.Equal("standard-overstates;square-beats-attack", r[22]));
        Assert.Equal("reduced: APGD 20 iterations", lines.Single(r => r[7] == WorstCase.Label)[23]);
        Assert.All(lines.Where(r => r[7] != WorstCase.Label), r => Assert.Equal("", r[23])); // the budget is the worst case's
    }

    [Fact]
    public void Csv_rows_carry_the_values()
    {
        var path = _dir.File("results.csv");

        ResultsExport.WriteCsv(ResultSamples.Sweep(), path);

        var records = ParseCsv(File.ReadAllText(path));
        // Ordered by grid point: alpha 0 before 0.5, seed 1 before 2; clean first within an experiment.
        Assert.Equal(
            ["demo/fashion-mnist/small-cnn/lif/at/a0/s1", "fashion-mnist", "small-cnn", "lif", "at", "0", "1", "clean", "0", "0.95", "0.95", "false", "",
             "", "", "", "", "false", "", "", "", "", "", ""], // no image count for clean accuracy: no interval; the baseline: no test
            records[1]);
        var flaggedPgd = records.Single(r => r[0] == "demo/fashion-mnist/small-cnn/lif/at/a0.5/s2" && r[7] == "pgd");
        Assert.Equal(["0.5", "2", "pgd", "0.1", "0.4", "0.8", "false", "transfer-beats-whitebox", "40", "100"], flaggedPgd[5..15]);
        // Wilson 40/100: centre 0.4037, half 0.0943.
        Assert.Equal(0.3094, double.Parse(flaggedPgd[15], System.Globalization.CultureInfo.InvariantCulture), 3);
        Assert.Equal(0.4980, double.Parse(flaggedPgd[16], System.Globalization.CultureInfo.InvariantCulture), 3);
        // Against its twin at alpha 0, seed 2 (pgd 0.15): the difference; no masks in these samples, so no p-value.
        Assert.Equal(0.25, double.Parse(flaggedPgd[19], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal(["", ""], flaggedPgd[20..22]);
        var sanity = records.First(r => r[7] == "pgd-huge-eps");
        Assert.Equal(["8", "0", "0.95", "true"], sanity[8..12]);
    }

    [Fact]
    public void Csv_quotes_fields_that_need_it_and_joins_flags_with_semicolons()
    {
        var path = _dir.File("results.csv");
        var row = ResultSamples.Row(0.1, 1, 0.5, [ResultSamples.Attack("odd,\"name\"", 0.25, 0.125)], ["f1", "f2"]);

        ResultsExport.WriteCsv([row], path);

        var text = File.ReadAllText(path);
        Assert.Contains(",\"odd,\"\"name\"\"\",", text);
        var attack = ParseCsv(text)[2];
        Assert.Equal("odd,\"name\"", attack[7]);
        Assert.Equal("0.25", attack[8]);
        Assert.Equal("0.125", attack[9]);
        Assert.Equal("f1;f2", attack[12]);
    }

    [Fact]
    public void Writes_replace_the_file_and_leave_no_temporary_files()
    {
        var path = _dir.File(Path.Combine("out", "results.csv"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "old content that is longer than nothing");

        ResultsExport.WriteCsv([], path);

        Assert.Equal(ResultsExport.CsvHeader + "\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Json_round_trips_experiments_and_table()
    {
        var path = _dir.File("results.json");
        var rows = ResultSamples.Sweep();
        var table = ResultsTable.Build(rows);

        ResultsExport.WriteJson(rows, table, path);
        var document = ResultsExport.ReadJson(path);

        Assert.Equal(rows.Count, document.Experiments.Count);
        var original = rows.Single(r => r.Point.Seed == 2 && r.Point.Alpha == 0.5);
        var back = document.Experiments.Single(r => r.Key == original.Key);
        Assert.Equal(original.Point, back.Point);
        Assert.Equal(original.Outcome.CleanAccuracy, back.Outcome.CleanAccuracy);
        Assert.Equal(original.Outcome.Attacks, back.Outcome.Attacks);
        Assert.Equal(original.Outcome.MaskingFlags, back.Outcome.MaskingFlags);
        Assert.Equal(original.Outcome.Checkpoint, back.Outcome.Checkpoint);
        Assert.Equal(table.Count, document.Table.Count);
        for (var i = 0; i < table.Count; i++)
        {
            Assert.Equal(table[i] with { Flags = [] }, document.Table[i] with { Flags = [] });
            Assert.Equal(table[i].Flags, document.Table[i].Flags);
        }
    }

    [Fact]
    public void Json_uses_camel_case_names()
    {
        var path = _dir.File("results.json");
        var rows = ResultSamples.Sweep();

        ResultsExport.WriteJson(rows, ResultsTable.Build(rows), path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(["experiments", "table"], root.EnumerateObject().Select(p => p.Name));
        var experiment = root.GetProperty("experiments")[0];
        Assert.Equal("fashion-mnist", experiment.GetProperty("point").GetProperty("dataset").GetString());
        Assert.Equal(0.95, experiment.GetProperty("outcome").GetProperty("cleanAccuracy").GetDouble());
        var row = root.GetProperty("table")[0];
        Assert.Equal("clean", row.GetProperty("attack").GetString());
        Assert.Equal(0.94, row.GetProperty("mean").GetDouble(), 9);
    }

    [Fact]
    public void Csv_writes_epsilon_as_k_over_255_and_the_paired_test_against_the_baseline_twin()
    {
        var path = _dir.File("results.csv");
        var data = ReportSamples.Data();

        ResultsExport.WriteCsv(data.Rows, path, data.Spec.BaselineAlpha);

        var records = ParseCsv(File.ReadAllText(path));
        var header = records[0];
        string Get(List<string> r, string column) => r[header.IndexOf(column)];
        List<string> Line(string neuron, double alpha, string attack) => records.Single(r =>
            Get(r, "neuron") == neuron && Get(r, "alpha") == alpha.ToString(System.Globalization.CultureInfo.InvariantCulture) && Get(r, "attack") == attack);

        Assert.Equal("8/255", Get(Line("lif", 1, "pgd"), "eps_255"));
        Assert.Equal("255/255", Get(Line("lif", 1, "pgd-huge-eps"), "eps_255"));
        Assert.Equal("", Get(Line("lif", 1, "clean"), "eps_255"));
        foreach (var ((neuron, alpha), c) in ReportSamples.Counts)
        {
            var b = ReportSamples.Counts[(neuron, 0)];
            foreach (var (attack, correct, baseCorrect) in new[] { ("clean", c.Clean, b.Clean), ("worst-case", c.Worst, b.Worst), ("fgsm", c.Fgsm, b.Fgsm) })
            {
                var line = Line(neuron, alpha, attack);
                if (alpha == 0)
                {
                    Assert.Equal(["", "", ""], [Get(line, "baseline_delta"), Get(line, "baseline_p"), Get(line, "significant")]);
                    continue;
                }
                // The first k images are the correct ones: every discordant image falls on one side.
                var p = Accuracy.McNemarExact(Math.Max(0, correct - baseCorrect), Math.Max(0, baseCorrect - correct));
                Assert.Equal((double)(correct - baseCorrect) / ReportSamples.Images, double.Parse(Get(line, "baseline_delta"), System.Globalization.CultureInfo.InvariantCulture), 9);
                Assert.Equal(p, double.Parse(Get(line, "baseline_p"), System.Globalization.CultureInfo.InvariantCulture), 12);
                Assert.Equal(p < 0.05 ? "true" : "false", Get(line, "significant"));
            }
        }
    }
}
