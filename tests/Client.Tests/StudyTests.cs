using StableSnn.Client.Commands;
using StableSnn.Client.Hosting;
using StableSnn.Client.Results;
using StableSnn.Client.Specs;
using StableSnn.Client.Studies;
using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

/// <summary>
/// A study combined from exported parts: hand-worked masks give the differences, intervals, pooled McNemar and Holm
/// p-values; parts that disagree with the study, repeat a cell or score other images are refused; the command writes
/// the page and plots from files alone.
/// </summary>
public sealed class StudyTests : IDisposable
{
    const double Eps = 8 / 255.0;
    readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    static string Spec(string name, string alphas, string seeds, int epochs = 3) => $"""
        name: {name}
        datasets: [fashion-mnist]
        architectures: [small-cnn]
        neurons: [dlif]
        modes: [at]
        alphas: [{alphas}]
        seeds: [{seeds}]
        epochs: {epochs}
        attackSuite: reliable
        training:
          trainSubset: 2000
          timeSteps: 4
          attackSubset: 20
        """;

    static bool[] Right(int images, int count) => [.. Enumerable.Range(0, images).Select(i => i < count)];

    static CompletedExperiment Cell(string sweep, double alpha, int seed, int clean, int worst, int images = 20, string[]? flags = null, int? pgd = null)
    {
        var point = new GridPoint("fashion-mnist", "small-cnn", "dlif", "at", alpha, seed);
        return new CompletedExperiment(point.ExperimentKey(sweep), point, new ExperimentOutcome
        {
            CleanAccuracy = clean / (double)images, Examples = images, CleanMask = ExampleMask.Pack(Right(images, clean)),
            WorstCases = [new AttackAccuracy(WorstCase.Label, Eps, worst / (double)images, images, false) { Mask = ExampleMask.Pack(Right(images, worst)) }],
            Attacks = pgd is { } right ? [new AttackAccuracy("PGD-20", Eps, right / (double)images, images, false), new AttackAccuracy("sanity", 1, 0, images, true)] : [],
            MaskingFlags = flags ?? [], Budget = "autoattack", TrainSeconds = 100, TotalSeconds = 400,
        });
    }

    string Study(string alphas = "0, 1, 2", string seeds = "1, 2")
    {
        var path = Path.Combine(_dir.Path, "study.yaml");
        File.WriteAllText(path, Spec("demo", alphas, seeds));
        return path;
    }

    string Part(string name, string spec, params CompletedExperiment[] cells)
    {
        var folder = Path.Combine(_dir.Path, "parts", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, StudyPart.SpecFile), spec);
        ResultsExport.WriteJson(cells, [], Path.Combine(folder, ResultsView.JsonFile));
        var start = new DateTimeOffset(2026, 12, 4, 1, 0, 0, TimeSpan.Zero);
        File.WriteAllLines(Path.Combine(folder, ResultsView.AttemptsFile),
        [
            ResultsExport.AttemptsHeader,
            .. cells.Select((c, i) => $"{c.Key},1,vm,cpu{i},{start:O},{start.AddSeconds(400 + i):O},{400 + i},Success"),
        ]);
        File.WriteAllText(Path.Combine(folder, StudyPart.RunFile), $"command: stablesnn run {name}.yaml\ncommit: abc123\n");
        return folder;
    }

    StudyResult Analyse(string study) =>
        StudyAnalysis.Analyse(SweepSpecFile.Load(study), StudyPart.LoadAll(SweepSpecFile.Load(study), Path.Combine(_dir.Path, "parts")));

    [Fact]
    public void A_gain_beyond_noise_is_detected_and_the_missing_cells_are_named()
    {
        // Worst case: alpha 0 right on images 0-2, alpha 1 on 0-11, in both seeds (20 images). Per seed 9 images only
        // alpha 1 holds: p = 2 / 2^9; pooled 18 / 0: p = 2 / 2^18 = 7.6e-6 (one comparison, Holm leaves it).
        // d = 1 on 9 of 20 images in both seeds: mean 0.45, MS_image = 2 (9 x 0.55^2 + 11 x 0.45^2) / 19 = 0.521053,
        // no seed or residual variance: Var = 0.521053 / 40, df 19 (t 2.093): [0.2111, 0.6889].
        // Clean: alpha 0 right on 0-15, alpha 1 on 0-13: -0.10.
        var study = Study();
        // PGD-20 alone: alpha 0 right on 15 and 13 of 20, alpha 1 on 12 and 12: mean 70.0% against 60.0%, the other way.
        Part("p1", Spec("demo-p1", "0, 1", "1"), Cell("demo-p1", 0, 1, 16, 3, pgd: 15), Cell("demo-p1", 1, 1, 14, 12, pgd: 12));
        Part("p2", Spec("demo-p2", "0, 1", "2"), Cell("demo-p2", 0, 2, 16, 3, pgd: 13), Cell("demo-p2", 1, 2, 14, 12, pgd: 12));
        var result = Analyse(study);

        var arm = Assert.Single(result.Arms);
        Assert.Equal([0.0, 1.0], arm.Alphas.Select(a => a.Alpha));
        Assert.Equal(0.15, arm.Alphas[0].Worst, 12);
        var worst = Assert.Single(arm.Worst);
        Assert.Equal(0.45, worst.Difference, 12);
        Assert.Equal((18, 0), (worst.OnlyAlpha, worst.OnlyBaseline));
        Assert.Equal(2 / Math.Pow(2, 18), worst.P, 12);
        Assert.Equal(worst.P, worst.AdjustedP, 12);
        Assert.All(worst.Seeds, s => Assert.Equal(2 / 512.0, s.P, 12));
        var half = 2.093 * Math.Sqrt(2 * (9 * 0.55 * 0.55 + 11 * 0.45 * 0.45) / 19 / 40);
        Assert.Equal(0.45 - half, worst.Interval.Low, 9);
        Assert.Equal(0.45 + half, worst.Interval.High, 9);
        Assert.True(worst.Detected);
        Assert.Equal(-0.10, Assert.Single(arm.Clean).Difference, 12);

        Assert.False(result.Complete);
        Assert.Equal(["fashion-mnist/small-cnn/dlif/at/a2/s1", "fashion-mnist/small-cnn/dlif/at/a2/s2"], result.MissingCells);
        var answer = StudyPage.Answer(result);
        Assert.Contains("alpha 1 +45.0 points worst case [+21.1, +68.9] (Holm p 7.6e-6, higher, detected), -10.0 clean", answer);
        Assert.Contains("So the regulariser buys worst-case robustness here: alpha 1 gains +45.0 points", answer);
        Assert.Contains("The paper's PGD-20 alone ranks alpha 1 the other way (60.0% against 70.0% for alpha 0)", answer);
        Assert.Equal(0.70, arm.Alphas[0].Cells.Average(c => c.Attacks["PGD-20"]), 12);
        Assert.DoesNotContain("sanity", arm.Alphas[0].Cells[0].Attacks.Keys);
        Assert.Contains("No model was flagged", answer);
        Assert.EndsWith("Partial: 4 of 6 cells.", answer);
    }

    [Fact]
    public void A_test_significant_alone_is_not_called_an_effect_when_Holm_counts_every_alpha()
    {
        // 10 images, one seed. alpha 1: 6 images only it holds (pooled = per seed, p = 2 / 64 = 0.03125); alpha 2: 1
        // (p = 1). Holm: 0.03125 x 2 = 0.0625 and max(0.0625, 1) = 1. alpha 1's paired interval over the 10 images:
        // d = 1 on 6 of 10, mean 0.6, sample variance 0.26667, SE 0.16330, t(9) 2.262: [0.2306, 0.9694].
        var study = Study("0, 1, 2", "1");
        Part("p1", Spec("demo-p1", "0, 1, 2", "1"),
            Cell("demo-p1", 0, 1, 9, 2, images: 10), Cell("demo-p1", 1, 1, 9, 8, images: 10, flags: ["gradient-masking-suspected"]),
            Cell("demo-p1", 2, 1, 9, 3, images: 10));
        var result = Analyse(study);
        var arm = Assert.Single(result.Arms);
        Assert.Equal([0.0625, 1.0], arm.Worst.Select(c => c.AdjustedP), new Near(1e-12));
        Assert.Equal(0.6 - 2.262 * Math.Sqrt(0.6 * 0.4 * 10 / 9 / 10), arm.Worst[0].Interval.Low, 9);
        Assert.False(arm.Worst[0].Detected); // p 0.03125 alone, but not after correcting for two alphas
        Assert.True(result.Complete);
        var answer = StudyPage.Answer(result);
        Assert.Contains("No alpha changes the worst case detectably", answer);
        Assert.Contains("Alpha 1 is suggestive (uncorrected p 0.031, interval excluding 0) but does not survive Holm's correction for 2 comparisons", answer);
        Assert.Contains("The masking checks flagged 1 of 3 models (gradient-masking-suspected: alpha 1 s1)", answer);
        Assert.DoesNotContain("Partial", answer);
    }

    [Fact]
    public void One_seed_is_never_a_detected_effect_however_small_its_p()
    {
        // One seed, 20 images: alpha 0 right on 0-2, alpha 1 on 0-11: 9 / 0, p = 2 / 2^9 = 0.0039, and the interval over
        // the images alone excludes 0. Two trained models differ; whether the method does needs more seeds.
        var study = Study("0, 1", "1");
        Part("p1", Spec("demo-p1", "0, 1", "1"), Cell("demo-p1", 0, 1, 16, 3), Cell("demo-p1", 1, 1, 16, 12));
        var result = Analyse(study);
        var worst = Assert.Single(Assert.Single(result.Arms).Worst);
        Assert.Equal(2 / 512.0, worst.AdjustedP, 12);
        Assert.True(worst.Interval.Low > 0);
        Assert.False(worst.Detected);
        var answer = StudyPage.Answer(result);
        Assert.Contains("(Holm p 0.004, higher in its one seed, more seeds needed)", answer);
        Assert.Contains("Alpha 1 is higher in the one seed measured (+45.0 points; pooled McNemar p 0.004, Holm 0.004), so these models differ " +
                        "beyond doubt, but 1 seed is too few to bound the effect over training runs (interval, over images alone, [", answer);
        Assert.DoesNotContain("buys worst-case robustness", answer);
    }

    static string SearchSpec(string name, int epochs = 3) => Spec(name, "0", "1", epochs).Replace("alphas: [0]\n", "", StringComparison.Ordinal) + """

        search:
          algorithm: random
          seed: 1
          space:
            alpha: {low: 0.01, high: 10, zeroProbability: 0.1}
          budget:
            experiments: 3
        """;

    static CompletedExperiment Trial(string sweep, int trial, double alpha, int worst)
    {
        var cell = Cell(sweep, alpha, 1, 16, worst);
        var point = cell.Point with { Trial = trial };
        return cell with { Key = point.ExperimentKey(sweep), Point = point };
    }

    [Fact]
    public void A_search_part_is_compared_with_the_grids_best_of_its_seed_on_the_same_images_and_by_cost()
    {
        // Grid, seed 1: alpha 0 right on 3 of 20 images, alpha 1 on 12 (its best); 400 + 401 trainer-seconds.
        // Search: trial 0 (alpha 0.3) 10 of 20, trial 1 (alpha 2) 13 of 20, trial 2 stopped early; 200 + 150 + 50 s.
        // Best 13 against 12: 1 image robust for the search only, 0 for the grid only: +5 points, McNemar p 1. Paired over
        // the 20 images: d = 1 on 1 image, mean 0.05, sample variance 0.95 / 19 = 0.05, SE 0.05, t(19) 2.093:
        // [-0.0547, +0.1547]: the lower bound is under -3 points, so non-inferiority is not shown. Cost 400 / 801.
        var study = Study("0, 1", "1");
        var grid = Part("p1", Spec("demo-p1", "0, 1", "1"), Cell("demo-p1", 0, 1, 16, 3), Cell("demo-p1", 1, 1, 16, 12, flags: ["gradient-masking-suspected"]));
        var search = Part("s1", SearchSpec("demo-s1"), Trial("demo-s1", 0, 0.3, 10), Trial("demo-s1", 1, 2, 13));
        var start = new DateTimeOffset(2026, 12, 4, 1, 0, 0, TimeSpan.Zero);
        string Attempt(string key, int seconds, string exit) => $"{key},1,vm,cpu0,{start:O},{start.AddSeconds(seconds):O},{seconds},{exit}";
        File.WriteAllLines(Path.Combine(search, ResultsView.AttemptsFile),
        [
            ResultsExport.AttemptsHeader, Attempt(Trial("demo-s1", 0, 0.3, 10).Key, 200, "Success"), Attempt(Trial("demo-s1", 1, 2, 13).Key, 150, "Success"),
            Attempt(Trial("demo-s1", 2, 0.05, 1).Key, 50, "RungReached"),
        ]);

        var result = Analyse(study);
        Assert.True(result.Complete); // the search's trials are not grid cells
        var q = Assert.Single(result.Searches);
        Assert.Equal((1, 2.0, 1.0), (q.Best.Point.Trial, q.Best.Point.Alpha, q.GridBest!.Point.Alpha));
        Assert.Equal((3, 2, 1, 0), (q.Trials, q.Completed, q.OnlySearch, q.OnlyGrid));
        Assert.Equal(0.05, q.Difference, 12);
        Assert.Equal(1.0, q.P, 12);
        Assert.Equal(0.05 - 2.093 * 0.05, q.DifferenceInterval.Low, 3);
        Assert.False(q.NonInferior);
        Assert.Equal(400 / 801.0, q.CostRatio, 12);
        var sentence = StudyPage.SearchSentence(q);
        Assert.Contains("found alpha 2 at 65.0% worst case against the grid's alpha 1 at 60.0% (flagged gradient-masking-suspected): +5.0 points [-5.5, +15.5] paired on the same images " +
                        "(1 images robust for the search's best only, 0 for the grid's only, McNemar p 1.000), so non-inferiority at a 3-point margin is not shown", sentence);
        Assert.Contains("400 trainer-seconds against the grid's 801 for seed 1 (0.50 of it)", sentence);
        Assert.Contains(sentence, StudyPage.Answer(result));
        // Trial 2 pausing at its rung ended as asked: the search part lists no interrupted attempt.
        // Its training and evaluation seconds are its completed trials' (100 and 300 each), not zero for having no grid cells.
        Assert.Contains("| s1 | search: 2 trials completed | 3 | 0 | 0h03m | 400 | 200 | 600 |", StudyPage.Build(result, "study.yaml", "stablesnn study study.yaml", start));

        // A grid attempt that ended by lease expiry (300 s) counts in the ratio, and the ratio without it is given too.
        File.AppendAllLines(Path.Combine(grid, ResultsView.AttemptsFile),
            [Attempt(Cell("demo-p1", 0, 1, 16, 3).Key, 300, "LeaseExpired").Replace(",1,vm,", ",2,vm,", StringComparison.Ordinal)]);
        q = Assert.Single(Analyse(study).Searches);
        Assert.Equal((400 / 1101.0, 400 / 801.0), (q.CostRatio, q.CostRatioWithoutExpired));
        Assert.Contains("400 trainer-seconds against the grid's 1,101 for seed 1 (0.36 of it; 0.50 without the attempts that ended by lease expiry (300 s, ",
            StudyPage.SearchSentence(q));

        // A search that trains its trials differently from the study's cells is refused, naming the trial and the field.
        Part("s2", SearchSpec("demo-s2", epochs: 4), Trial("demo-s2", 0, 0.3, 10));
        var refused = Assert.Throws<CliException>(() => Analyse(study));
        Assert.Contains("part s2: ", refused.Message);
        Assert.Contains("trains or scores trial demo-s2/", refused.Message);
        Assert.Contains("Epochs: part 4, study 3", refused.Message);

        // An exit the engine does not know is refused with the file and line, not counted as anything.
        Directory.Delete(Path.Combine(_dir.Path, "parts", "s2"), recursive: true);
        File.AppendAllLines(Path.Combine(search, ResultsView.AttemptsFile), [Attempt(Trial("demo-s1", 3, 1, 1).Key, 10, "Exploded")]);
        refused = Assert.Throws<CliException>(() => Analyse(study));
        Assert.Contains($"{ResultsView.AttemptsFile} line 5: exit 'Exploded' is none of Success, Crash, ", refused.Message);
    }

    [Fact]
    public void An_effect_every_seed_shows_but_two_seeds_cannot_bound_is_said_to_need_more_seeds()
    {
        // 20 images. Seed 1: alpha 0 right on 0-2, alpha 1 on 0-11 (+45 points); seed 2: 0-2 against 0-5 (+15). Pooled
        // 12 / 0: p = 2 / 2^12 = 4.9e-4. The seeds disagree by 30 points: MS_seed 0.9 dominates, Satterthwaite df 1
        // (t 12.706), half-width 2.08: the interval is the whole range.
        var study = Study("0, 1", "1, 2");
        Part("p1", Spec("demo-p1", "0, 1", "1, 2"), Cell("demo-p1", 0, 1, 16, 3), Cell("demo-p1", 1, 1, 16, 12),
            Cell("demo-p1", 0, 2, 16, 3), Cell("demo-p1", 1, 2, 16, 6));
        var worst = Assert.Single(Assert.Single(Analyse(study).Arms).Worst);
        Assert.Equal(2 / 4096.0, worst.P, 12);
        Assert.Equal(new Interval(-1, 1), worst.Interval);
        Assert.False(worst.Detected);
        var answer = StudyPage.Answer(Analyse(study));
        Assert.Contains("Alpha 1 is higher in each of the 2 seeds measured (+45.0, +15.0 points; pooled McNemar p 4.9e-4, Holm 4.9e-4), " +
                        "so these models differ beyond doubt, but 2 seeds are too few to bound the effect over training runs (interval [-100.0, +100.0])", answer);
        Assert.DoesNotContain("No alpha changes", answer);
    }

    [Fact]
    public void Alphas_that_agree_are_told_in_one_sentence_each_for_the_seeds_and_for_the_papers_attack()
    {
        // 20 images, seeds 1 and 2. Alpha 0 right on 0-2 in both; alpha 1 on 0-11 and 0-5 (12 / 0 pooled: p 2 / 2^12),
        // alpha 2 on 0-12 and 0-6 (14 / 0: p 2 / 2^14 = 1.2e-4). Holm: 1.2e-4 x 2 = 2.4e-4, then 4.9e-4 x 1: at most 4.9e-4.
        // PGD-20: alpha 0 on 15 and 13 (70%), alpha 1 on 12 and 12 (60%), alpha 2 on 11 and 11 (55%): both the other way.
        var study = Study("0, 1, 2", "1, 2");
        Part("p1", Spec("demo-p1", "0, 1, 2", "1, 2"),
            Cell("demo-p1", 0, 1, 16, 3, pgd: 15, flags: [Masked]), Cell("demo-p1", 1, 1, 16, 12, pgd: 12), Cell("demo-p1", 2, 1, 16, 13, pgd: 11, flags: [Masked]),
            Cell("demo-p1", 0, 2, 16, 3, pgd: 13, flags: [Masked]), Cell("demo-p1", 1, 2, 16, 6, pgd: 12), Cell("demo-p1", 2, 2, 16, 7, pgd: 11, flags: [Masked, "other"]));
        var arm = Assert.Single(Analyse(study).Arms);
        Assert.All(arm.Worst, w => Assert.False(w.Detected));
        Assert.Equal(4 / Math.Pow(2, 14), arm.Worst.First(w => w.Alpha == 2).AdjustedP, 12);
        var answer = StudyPage.Answer(Analyse(study));
        Assert.Contains("Alphas 1 and 2 are each higher in every seed measured (alpha 1: +45.0, +15.0; alpha 2: +50.0, +20.0 points; " +
                        "Holm p at most 4.9e-4), so these models differ beyond doubt, but 2 seeds are too few to bound the effect", answer);
        Assert.Contains("The paper's PGD-20 alone ranks alpha 1 and 2 the other way (60.0% and 55.0% against 70.0% for alpha 0)", answer);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(answer, "the other way"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(answer, "too few to bound"));
        Assert.Contains($"The masking checks flagged 4 of 6 models ({Masked}: alpha 0 s1/s2, alpha 2 s1; {Masked}, other: alpha 2 s2)", answer);
    }

    const string Masked = "gradient-masking-suspected";

    [Fact]
    public void Parts_that_train_differently_repeat_a_cell_or_score_other_images_are_refused()
    {
        var study = Study();
        Part("p1", Spec("demo-p1", "0", "1", epochs: 4), Cell("demo-p1", 0, 1, 16, 3));
        var e = Assert.Throws<CliException>(() => Analyse(study));
        Assert.Contains("part p1:", e.Message);
        Assert.Contains("Epochs: part 4, study 3", e.Message);

        Directory.Delete(Path.Combine(_dir.Path, "parts"), recursive: true);
        Part("p1", Spec("demo-p1", "0", "1"), Cell("demo-p1", 0, 1, 16, 3));
        Part("p2", Spec("demo-p2", "0", "1, 2"), Cell("demo-p2", 0, 1, 16, 3), Cell("demo-p2", 0, 2, 16, 3));
        e = Assert.Throws<CliException>(() => Analyse(study));
        Assert.Contains("cell fashion-mnist/small-cnn/dlif/at/a0/s1 is measured by two parts (p1 and p2)", e.Message);

        Directory.Delete(Path.Combine(_dir.Path, "parts", "p2"), recursive: true);
        Part("p2", Spec("demo-p2", "1", "1"), Cell("demo-p2", 1, 1, 8, 3, images: 10));
        e = Assert.Throws<CliException>(() => Analyse(study));
        Assert.Contains("scored on 10 images, not 20", e.Message);

        Directory.Delete(Path.Combine(_dir.Path, "parts", "p2"), recursive: true);
        Part("p2", Spec("demo-p2", "3", "1"), Cell("demo-p2", 3, 1, 8, 3));
        e = Assert.Throws<CliException>(() => Analyse(study));
        Assert.Contains("cell fashion-mnist/small-cnn/dlif/at/a3/s1 is not in the study's grid", e.Message);
    }

    [Fact]
    public void The_command_writes_the_page_plots_and_spec_from_files_alone()
    {
        var study = Study();
        Part("p1", Spec("demo-p1", "0, 1", "1, 2"), Cell("demo-p1", 0, 1, 16, 3), Cell("demo-p1", 1, 1, 14, 12),
            Cell("demo-p1", 0, 2, 16, 3), Cell("demo-p1", 1, 2, 14, 12));
        var (exit, output) = CliProcess.Run(_dir.Path, "study", "study.yaml", "--parts", "parts", "--out", "page");
        Assert.True(exit == 0, output);
        var page = File.ReadAllText(Path.Combine(_dir.Path, "page", StudyPage.File));
        Assert.Contains("# Study demo: does the stability regulariser buy worst-case robustness?", page);
        Assert.Contains("| 1 | worst case | +45.0 [+21.1, +68.9] | s1: +45.0 (9/0, 0.004); s2: +45.0 (9/0, 0.004) | 18 / 0 | 7.6e-6 | 7.6e-6 | higher, detected |", page);
        Assert.Contains("- commit: `abc123`", page);
        Assert.Contains("stablesnn study study.yaml --parts parts --out page", page);
        Assert.Contains("Every cell finished in its first attempt", page);
        foreach (var png in new[] { StudyPlots.AccuracyFile, StudyPlots.DifferenceFile })
            Assert.True(new FileInfo(Path.Combine(_dir.Path, "page", png)).Length > 10_000, png);
        Assert.Equal(File.ReadAllText(study), File.ReadAllText(Path.Combine(_dir.Path, "page", "spec.yaml")));

        (exit, output) = CliProcess.Run(_dir.Path, "study", "study.yaml", "--parts", "nowhere");
        Assert.Equal(2, exit);
        Assert.Contains("--parts: folder 'nowhere' does not exist", output);
    }

    sealed class Near(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
