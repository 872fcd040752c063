using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;

namespace StableSnn.Client.Studies;

/// <summary>One trained and attacked model of the study: its clean and worst-case correctness per image.</summary>
public sealed record StudyCell(GridPoint Point, string Part, bool[] Clean, bool[] Worst, string[] Flags, string[] Findings, double TrainSeconds, double TotalSeconds)
{
    /// <summary>Accuracy under each attack of the suite at the headline's epsilon (sanity attacks left out), by attack name.</summary>
    public IReadOnlyDictionary<string, double> Attacks { get; init; } = new Dictionary<string, double>();

    public double CleanAccuracy => Clean.Count(c => c) / (double)Clean.Length;
    public double WorstAccuracy => Worst.Count(c => c) / (double)Worst.Length;
}

/// <summary>One alpha of an arm: its cells (one per seed) and the means with intervals over seeds and images.</summary>
public sealed record AlphaResult(double Alpha, IReadOnlyList<StudyCell> Cells, double Clean, Interval CleanInterval, double Worst, Interval WorstInterval)
{
    public int Flagged => Cells.Count(c => c.Flags.Length > 0);
}

/// <summary>One seed's paired comparison of an alpha with the baseline on the same images.</summary>
public sealed record SeedComparison(int Seed, double Difference, int OnlyAlpha, int OnlyBaseline, double P);

/// <summary>
/// An alpha against the baseline on one measure (clean or worst case), over the seeds both have: the mean paired
/// difference with its interval over seeds and images, the exact McNemar test on the discordant images pooled over
/// seeds, and its p after Holm's correction over the arm's alphas.
/// </summary>
public sealed record Comparison(
    string Measure, double Alpha, IReadOnlyList<SeedComparison> Seeds, double Difference, Interval Interval,
    int OnlyAlpha, int OnlyBaseline, double P, double AdjustedP)
{
    /// <summary>
    /// Beyond noise: at least two seeds (one seed's interval is over images alone and says nothing of training runs),
    /// significant after correction, its interval excludes 0 and every seed has the same sign.
    /// </summary>
    public bool Detected => Seeds.Count >= 2 && AdjustedP < StudyAnalysis.Level && (Interval.Low > 0 || Interval.High < 0)
                            && Seeds.All(s => Math.Sign(s.Difference) == Math.Sign(Difference));
}

/// <summary>The study's answer for one (dataset, architecture, neuron, mode).</summary>
public sealed record ArmResult(string Title, IReadOnlyList<AlphaResult> Alphas, IReadOnlyList<Comparison> Worst, IReadOnlyList<Comparison> Clean);

public sealed record StudyResult(
    SweepSpec Spec, IReadOnlyList<StudyPart> Parts, IReadOnlyList<ArmResult> Arms, int Images, double Epsilon, string Budget,
    IReadOnlyList<string> MissingCells, int GridCells)
{
    /// <summary>Adaptive searches run next to the grid (search parts), each against the grid's best of its seed.</summary>
    public IReadOnlyList<StudySearch> Searches { get; init; } = [];

    public bool Complete => MissingCells.Count == 0;
}

/// <summary>
/// The statistics of a study: each cell's per-image masks, each alpha's means, and each alpha against the baseline
/// (the spec's baseline alpha) paired on the same images, with Holm's correction within each measure and arm.
/// </summary>
public static class StudyAnalysis
{
    public const double Level = 0.05;

    public static StudyResult Analyse(SweepSpec study, IReadOnlyList<StudyPart> parts)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(parts);
        var gridParts = parts.Where(p => !p.IsSearch).ToList();
        var cells = gridParts.SelectMany(p => p.Experiments.Select(e => Cell(p.Name, e))).ToList();
        if (cells.Count == 0) throw new Hosting.CliException("the grid's parts hold no completed experiment yet");
        var images = cells[0].Clean.Length;
        foreach (var c in cells.Where(c => c.Clean.Length != images || c.Worst.Length != images))
            throw new Hosting.CliException($"cell {StudyPart.CellKey(c.Point)} ({c.Part}) was scored on {c.Clean.Length} images, not {images}: every cell must be scored on the same images");
        var first = gridParts.SelectMany(p => p.Experiments).First().Outcome;
        var headline = Headline(first);
        var budget = first.Budget is null ? "unrecorded" : first.BelowStandardBudget ? $"{first.Budget} (below AutoAttack's standard: {first.BudgetDescription})" : first.Budget;
        var done = cells.Select(c => StudyPart.CellKey(c.Point)).ToHashSet(StringComparer.Ordinal);
        var grid = GridExpansion.Expand(study).ToList();
        var missing = grid.Select(StudyPart.CellKey).Where(k => !done.Contains(k)).ToList();
        var arms = cells.GroupBy(c => (c.Point.Dataset, c.Point.Architecture, c.Point.Neuron, c.Point.Mode))
            .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Select(g => Arm($"{g.Key.Dataset} {g.Key.Architecture} {g.Key.Neuron} {g.Key.Mode}", g.ToList(), study.BaselineAlpha))
            .ToList();
        var searches = parts.Where(p => p.IsSearch).Select(p =>
        {
            var trials = p.Experiments.Select(e => Cell(p.Name, e)).ToList();
            foreach (var t in trials.Where(t => t.Worst.Length != images))
                throw new Hosting.CliException($"search trial {t.Point.ExperimentKey(p.Spec.Name)} ({p.Name}) was scored on {t.Worst.Length} images, not the grid's {images}");
            return StudySearch.Of(p, trials, cells, gridParts);
        }).OfType<StudySearch>().ToList();
        return new StudyResult(study, parts, arms, images, headline.Epsilon, budget, missing, grid.Count) { Searches = searches };
    }

    /// <summary>The worst case the study reads: the one at 8/255 when measured, else the largest epsilon.</summary>
    static AttackAccuracy Headline(ExperimentOutcome o) =>
        o.WorstCases.OrderBy(w => Math.Abs(w.Epsilon - 8 / 255.0) < 1e-6 ? 0 : 1).ThenByDescending(w => w.Epsilon).FirstOrDefault()
        ?? throw new Hosting.CliException("an experiment has no worst case: the study needs an attack suite (attackSuite is 'none')");

    static StudyCell Cell(string part, CompletedExperiment e)
    {
        var o = e.Outcome;
        var worst = Headline(o);
        if (o.CleanMask is null || worst.Mask is null)
            throw new Hosting.CliException($"cell {StudyPart.CellKey(e.Point)} ({part}) has no per-image masks: it was measured by a trainer too old for paired tests");
        return new StudyCell(e.Point, part, ExampleMask.Unpack(o.CleanMask, o.Examples), ExampleMask.Unpack(worst.Mask, worst.Examples),
            o.MaskingFlags, o.Findings, o.TrainSeconds, o.TotalSeconds)
        {
            Attacks = o.Attacks.Where(a => !a.Sanity && Math.Abs(a.Epsilon - worst.Epsilon) < 1e-6)
                .GroupBy(a => a.Attack).ToDictionary(g => g.Key, g => g.First().Accuracy),
        };
    }

    static ArmResult Arm(string title, List<StudyCell> cells, double baselineAlpha)
    {
        var alphas = cells.GroupBy(c => c.Point.Alpha).OrderBy(g => g.Key).Select(g =>
        {
            var bySeed = g.OrderBy(c => c.Point.Seed).ToList();
            var clean = bySeed.Select(c => c.Clean).ToList();
            var worst = bySeed.Select(c => c.Worst).ToList();
            return new AlphaResult(g.Key, bySeed, clean.Average(Mean), Accuracy.AcrossSeedsAndImages(clean), worst.Average(Mean), Accuracy.AcrossSeedsAndImages(worst));
        }).ToList();
        var baseline = alphas.FirstOrDefault(a => a.Alpha == baselineAlpha);
        if (baseline is null) return new ArmResult(title, alphas, [], []);
        var others = alphas.Where(a => a != baseline).ToList();
        return new ArmResult(title, alphas, Compare("worst case", others, baseline, c => c.Worst), Compare("clean", others, baseline, c => c.Clean));
    }

    static double Mean(bool[] mask) => mask.Count(x => x) / (double)mask.Length;

    static List<Comparison> Compare(string measure, List<AlphaResult> others, AlphaResult baseline, Func<StudyCell, bool[]> of)
    {
        var raw = others.Select(a =>
        {
            var pairs = a.Cells.Join(baseline.Cells, c => c.Point.Seed, c => c.Point.Seed, (t, b) => (Seed: t.Point.Seed, T: of(t), B: of(b))).ToList();
            if (pairs.Count == 0) return null;
            var seeds = pairs.Select(p =>
            {
                var (onlyT, onlyB) = ExampleMask.Discordant(p.T, p.B);
                return new SeedComparison(p.Seed, Mean(p.T) - Mean(p.B), onlyT, onlyB, Accuracy.McNemarExact(onlyT, onlyB));
            }).ToList();
            int t = seeds.Sum(s => s.OnlyAlpha), b = seeds.Sum(s => s.OnlyBaseline);
            return new Comparison(measure, a.Alpha, seeds, seeds.Average(s => s.Difference),
                Accuracy.PairedDifference(pairs.Select(p => p.T).ToList(), pairs.Select(p => p.B).ToList()), t, b, Accuracy.McNemarExact(t, b), double.NaN);
        }).OfType<Comparison>().ToList();
        var adjusted = MultipleComparisons.Holm(raw.Select(c => c.P).ToList());
        return raw.Select((c, i) => c with { AdjustedP = adjusted[i] }).ToList();
    }
}
