using System.Globalization;
using System.Text;
using StableSnn.Client.Results;

namespace StableSnn.Client.Studies;

/// <summary>
/// The study written up as a Markdown page (README.md beside its PNGs, readable on a forge and offline): the question,
/// the answer in one paragraph, the design, the results, the paired tests, the flags, the compute and how to reproduce.
/// </summary>
public static class StudyPage
{
    public const string File = "README.md";
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Build(StudyResult s, string specPath, string command, DateTimeOffset now)
    {
        var spec = s.Spec;
        var baseline = PivotFormat.Alpha(spec.BaselineAlpha);
        var eps = PivotFormat.Eps(s.Epsilon);
        var md = new StringBuilder();
        md.AppendLine($"# Study {spec.Name}: does the stability regulariser buy worst-case robustness?").AppendLine();
        md.AppendLine($"Written by `stablesnn study` on {now.UtcDateTime:yyyy-MM-dd HH:mm} UTC from {s.Parts.Count} part{(s.Parts.Count == 1 ? "" : "s")}; " +
                      $"{s.GridCells - s.MissingCells.Count} of {s.GridCells} cells measured.").AppendLine();
        if (!s.Complete)
            md.AppendLine($"**Partial study**: {s.MissingCells.Count} cell{(s.MissingCells.Count == 1 ? "" : "s")} not measured yet (listed under Design); the answer below is what the measured cells say, and may change.").AppendLine();
        md.AppendLine("## Question").AppendLine();
        md.AppendLine($"Does raising alpha, the weight of the paper's stability regulariser (membrane-potential perturbation dynamics), " +
                      $"raise the per-example worst-case accuracy at {eps} under an adaptive and gradient-free attack suite, how much, at what " +
                      $"clean cost, and is the gain beyond the noise of seeds and images? Every alpha is compared with alpha {baseline} " +
                      "(no regulariser) on the same test images.").AppendLine();
        md.AppendLine("## Answer").AppendLine();
        md.AppendLine(Answer(s)).AppendLine();
        md.AppendLine($"![accuracy against alpha]({StudyPlots.AccuracyFile})").AppendLine();
        if (s.Arms.Any(a => a.Worst.Count > 0)) md.AppendLine($"![paired differences]({StudyPlots.DifferenceFile})").AppendLine();

        md.AppendLine("## Design").AppendLine();
        var t = spec.Training;
        md.AppendLine("| setting | value |").AppendLine("|---|---|");
        md.AppendLine($"| spec | `{specPath}` (copied here as spec.yaml) |");
        md.AppendLine($"| grid | {string.Join(", ", spec.Datasets)} x {string.Join(", ", spec.Architectures)} x {string.Join(", ", spec.Neurons)} x {string.Join(", ", spec.Modes)}; alpha {string.Join(", ", spec.Alphas.Select(PivotFormat.Alpha))}; seeds {string.Join(", ", spec.Seeds)} ({s.GridCells} cells) |");
        md.AppendLine($"| training | {spec.Epochs} epochs on {(t.TrainSubset is { } n ? n.ToString("N0", Invariant) : "all")} training images ({Pct(t.ValidationFraction ?? 0.1)} held out for model selection), T = {t.TimeSteps?.ToString(Invariant) ?? "default"} |");
        md.AppendLine($"| evaluation | suite `{spec.AttackSuite}`, budget {s.Budget}; the same {s.Images} test images for every cell (evaluation seed {t.EvaluationSeed ?? 0}) |");
        md.AppendLine($"| headline | per-example worst case over the suite at {eps}: an image counts as robust only if every attack failed on it |");
        md.AppendLine($"| tests | each alpha against alpha {baseline}: mean paired difference with a 95% interval over seeds and images (crossed random effects); exact McNemar test on the discordant images pooled over seeds, Holm-corrected over the alphas of each measure; an effect is called detected when the corrected p < {StudyAnalysis.Level.ToString(Invariant)}, the interval excludes 0 and every seed agrees in sign |");
        md.AppendLine();
        if (!s.Complete) md.AppendLine($"Not measured yet: {string.Join(", ", s.MissingCells.Select(c => $"`{c}`"))}.").AppendLine();

        foreach (var arm in s.Arms)
        {
            md.AppendLine($"## Results: {arm.Title}").AppendLine();
            md.AppendLine($"| alpha | seeds | clean | worst case {eps} | worst case per seed | flagged models |").AppendLine("|---|---|---|---|---|---|");
            foreach (var a in arm.Alphas)
                md.AppendLine($"| {PivotFormat.Alpha(a.Alpha)} | {string.Join(", ", a.Cells.Select(c => c.Point.Seed))} | {Pct(a.Clean)} {PivotFormat.Interval(a.CleanInterval)} | " +
                              $"**{Pct(a.Worst)}** {PivotFormat.Interval(a.WorstInterval)} | {string.Join(" / ", a.Cells.Select(c => Pct(c.WorstAccuracy)))} | {a.Flagged} of {a.Cells.Count} |");
            md.AppendLine();
            var attacks = arm.Alphas.SelectMany(a => a.Cells).SelectMany(c => c.Attacks.Keys).Distinct().ToList();
            if (attacks.Count > 0)
            {
                md.AppendLine($"Each attack alone (mean over seeds; the worst case is per image over all of them, so it is at or below every column):").AppendLine();
                md.AppendLine($"| alpha | {string.Join(" | ", attacks)} | worst case |").AppendLine($"|---|{string.Concat(attacks.Select(_ => "---|"))}---|");
                foreach (var a in arm.Alphas)
                    md.AppendLine($"| {PivotFormat.Alpha(a.Alpha)} | {string.Join(" | ", attacks.Select(name => a.Cells.All(c => c.Attacks.ContainsKey(name)) ? Pct(a.Cells.Average(c => c.Attacks[name])) : "-"))} | {Pct(a.Worst)} |");
                md.AppendLine();
            }
            if (arm.Worst.Count == 0) { md.AppendLine($"No alpha {baseline} cell yet: nothing to compare with.").AppendLine(); continue; }
            md.AppendLine($"Paired against alpha {baseline} on the same images (points; only = images right under that condition only):").AppendLine();
            md.AppendLine("| alpha | measure | difference [95%] | per seed: difference (only alpha / only baseline, p) | pooled only alpha / only baseline | McNemar p | Holm p | verdict |")
              .AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var c in arm.Worst.Concat(arm.Clean))
                md.AppendLine($"| {PivotFormat.Alpha(c.Alpha)} | {c.Measure} | {Points(c.Difference)} [{Points(c.Interval.Low)}, {Points(c.Interval.High)}] | " +
                              $"{string.Join("; ", c.Seeds.Select(x => $"s{x.Seed}: {Points(x.Difference)} ({x.OnlyAlpha}/{x.OnlyBaseline}, {P(x.P)})"))} | " +
                              $"{c.OnlyAlpha} / {c.OnlyBaseline} | {P(c.P)} | {P(c.AdjustedP)} | {Verdict(c)} |");
            md.AppendLine();
        }

        md.AppendLine("## What the evaluation flagged").AppendLine();
        md.AppendLine("| cell | part | clean | worst case | doubting flags | findings |").AppendLine("|---|---|---|---|---|---|");
        foreach (var c in s.Arms.SelectMany(a => a.Alphas).SelectMany(a => a.Cells))
            md.AppendLine($"| `{StudyPart.CellKey(c.Point)}` | {c.Part} | {Pct(c.CleanAccuracy)} | {Pct(c.WorstAccuracy)} | {Codes(c.Flags)} | {Codes(c.Findings)} |");
        md.AppendLine();
        md.AppendLine("Doubting flags (e.g. gradient-masking-suspected) mean the gradient attacks missed what Square found: the worst case still counts every attack, " +
                      "so it stays an upper bound, but the model's gradients are not to be trusted. Findings are informative (e.g. standard-overstates: the paper's FGSM/PGD overstate the worst case). See docs/robustness.md.").AppendLine();

        md.AppendLine("## Compute, interruptions and resumes").AppendLine();
        md.AppendLine("| part | cells | attempts | interrupted attempts | wall | trainer-seconds (all attempts) | training s | evaluation s (in the final attempts) |").AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var p in s.Parts)
        {
            var cells = s.Arms.SelectMany(a => a.Alphas).SelectMany(a => a.Cells).Where(c => c.Part == p.Name).ToList();
            // A search's trials are no grid cells: its completed trials' own seconds (trials stopped at a rung only train).
            var (train, evaluation) = p.IsSearch
                ? (p.Experiments.Sum(e => e.Outcome.TrainSeconds), p.Experiments.Sum(e => e.Outcome.TotalSeconds - e.Outcome.TrainSeconds))
                : (cells.Sum(c => c.TrainSeconds), cells.Sum(c => c.TotalSeconds - c.TrainSeconds));
            md.AppendLine($"| {p.Name} | {(p.IsSearch ? $"search: {p.Experiments.Count} trials completed" : cells.Count.ToString(Invariant))} | {p.Attempts.Count} | {p.Attempts.Count(a => a.Interrupted)} | {(p.Wall is { } w ? Duration(w) : "-")} | " +
                          $"{p.Attempts.Sum(a => a.Seconds).ToString("N0", Invariant)} | {train.ToString("N0", Invariant)} | {evaluation.ToString("N0", Invariant)} |");
        }
        var all = s.Parts.Where(p => !p.IsSearch).SelectMany(p => p.Attempts).ToList();
        md.AppendLine($"| **grid** | {s.GridCells - s.MissingCells.Count} | {all.Count} | {all.Count(a => a.Interrupted)} | {Duration(TimeSpan.FromTicks(s.Parts.Where(p => !p.IsSearch).Sum(p => p.Wall?.Ticks ?? 0)))} | {all.Sum(a => a.Seconds).ToString("N0", Invariant)} | | |");
        md.AppendLine();
        var interrupted = all.Where(a => a.Interrupted).ToList();
        md.AppendLine(interrupted.Count == 0
            ? "Every cell finished in its first attempt: no interruption."
            : "Interrupted attempts (each resumed from its last checkpoint by the next attempt): " +
              string.Join("; ", interrupted.Select(a => $"`{a.Experiment}` attempt {a.Attempt} on {(a.Slot.StartsWith(a.Node + "/", StringComparison.Ordinal) ? a.Slot : $"{a.Node}/{a.Slot}")} ended {a.Exit} after {a.Seconds:F0} s"))).AppendLine();

        md.AppendLine("## Search next to the grid").AppendLine();
        if (s.Searches.Count == 0)
            md.AppendLine("Not run yet: no part of this study is an adaptive search with a completed trial. Its answer and cost go here once one is.").AppendLine();
        foreach (var q in s.Searches)
        {
            md.AppendLine($"Part {q.Part}: `{q.Algorithm}` on seed {q.Seed}, {q.Trials} trials proposed, {q.Completed} trained to the end and attacked like the grid's cells (same images, suite and budget).").AppendLine();
            md.AppendLine("| | alpha | worst case | clean |").AppendLine("|---|---|---|---|");
            md.AppendLine($"| search's best (trial {q.Best.Point.Trial}) | {PivotFormat.Alpha(q.Best.Point.Alpha)} | {Pct(q.Best.WorstAccuracy)} {PivotFormat.Interval(Contracts.Accuracy.Wilson(q.Best.Worst.Count(x => x), q.Best.Worst.Length))} | {Pct(q.Best.CleanAccuracy)} |");
            if (q.GridBest is { } g)
                md.AppendLine($"| grid's best of seed {q.Seed} ({q.GridCells} cells) | {PivotFormat.Alpha(g.Point.Alpha)} | {Pct(g.WorstAccuracy)} {PivotFormat.Interval(Contracts.Accuracy.Wilson(g.Worst.Count(x => x), g.Worst.Length))} | {Pct(g.CleanAccuracy)} |");
            md.AppendLine().AppendLine(SearchSentence(q)).AppendLine();
            md.AppendLine($"Both bests are picked by their worst case on these test images (the search's objective is measured there, as the grid's table ranks), " +
                          $"so both read somewhat high, the more so the more candidates each picked from ({q.Completed} finished trials, {q.GridCells} grid cells).").AppendLine();
        }

        md.AppendLine("## Reproduce").AppendLine();
        foreach (var p in s.Parts)
        {
            md.AppendLine($"Part {p.Name} (folder `parts/{p.Name}`: spec.yaml, results.json, results.csv, attempts.csv, report.html):").AppendLine();
            foreach (var (key, value) in p.Run) md.AppendLine($"- {key}: `{value}`");
            md.AppendLine();
        }
        md.AppendLine("This page:").AppendLine().AppendLine("```bash").AppendLine(command).AppendLine("```");
        return md.ToString();
    }

    /// <summary>The answer in one paragraph, from the numbers: effect sizes with intervals, verdicts, clean cost and flags.</summary>
    public static string Answer(StudyResult s)
    {
        var eps = PivotFormat.Eps(s.Epsilon);
        var baseline = PivotFormat.Alpha(s.Spec.BaselineAlpha);
        var text = new StringBuilder();
        foreach (var arm in s.Arms)
        {
            var b = arm.Alphas.FirstOrDefault(a => a.Alpha == s.Spec.BaselineAlpha);
            if (b is null || arm.Worst.Count == 0) { text.Append($"On {arm.Title} there is no alpha {baseline} model to compare with yet. "); continue; }
            var seeds = arm.Alphas.SelectMany(a => a.Cells).Select(c => c.Point.Seed).Distinct().Count();
            text.Append($"On {arm.Title} ({seeds} seed{(seeds == 1 ? "" : "s")}, {s.Images} images, worst case at {eps}, budget {s.Budget}), alpha {baseline} reaches " +
                        $"{Pct(b.Worst)} {PivotFormat.Interval(b.WorstInterval)} worst case and {Pct(b.Clean)} clean. Against it: ");
            text.Append(string.Join("; ", arm.Worst.Select(w =>
            {
                var c = arm.Clean.First(x => x.Alpha == w.Alpha);
                return $"alpha {PivotFormat.Alpha(w.Alpha)} {Points(w.Difference)} points worst case [{Points(w.Interval.Low)}, {Points(w.Interval.High)}] " +
                       $"(Holm p {P(w.AdjustedP)}, {Verdict(w)}), {Points(c.Difference)} clean [{Points(c.Interval.Low)}, {Points(c.Interval.High)}]";
            }))).Append(". ");
            // The paper's own measure (its longest PGD) next to the worst case: where they disagree in sign, say so.
            var paper = arm.Alphas.SelectMany(a => a.Cells).SelectMany(c => c.Attacks.Keys).Distinct()
                .Where(n => n.StartsWith("PGD-", StringComparison.Ordinal)).OrderBy(n => int.TryParse(n[4..], out var k) ? k : 0).LastOrDefault();
            if (paper is not null)
            {
                var reversed = arm.Worst.Select(w => (w, a: arm.Alphas.First(x => x.Alpha == w.Alpha)))
                    .Where(t => t.a.Cells.Concat(b.Cells).All(c => c.Attacks.ContainsKey(paper)))
                    .Select(t => (t.w.Alpha, Score: t.a.Cells.Average(c => c.Attacks[paper]), t.w.Difference))
                    .ToList();
                double pb = reversed.Count > 0 ? b.Cells.Average(c => c.Attacks[paper]) : 0;
                reversed = reversed.Where(t => Math.Abs(t.Score - pb) >= 0.01 && Math.Sign(t.Score - pb) != Math.Sign(t.Difference)).ToList();
                if (reversed.Count > 0)
                    text.Append($"The paper's {paper} alone ranks alpha {List(reversed.Select(t => PivotFormat.Alpha(t.Alpha)))} the other way " +
                                $"({List(reversed.Select(t => Pct(t.Score)))} against {Pct(pb)} for alpha {baseline}): " +
                                "only the adaptive and gradient-free attacks show the difference. ");
            }
            var gains = arm.Worst.Where(w => w.Detected && w.Difference > 0).ToList();
            var losses = arm.Worst.Where(w => w.Detected && w.Difference < 0).ToList();
            var widest = arm.Worst.Max(w => Math.Max(Math.Abs(w.Interval.Low), Math.Abs(w.Interval.High)));
            if (gains.Count > 0)
            {
                var best = gains.MaxBy(g => g.Difference)!;
                var cost = arm.Clean.First(x => x.Alpha == best.Alpha);
                text.Append($"So the regulariser buys worst-case robustness here: alpha {PivotFormat.Alpha(best.Alpha)} gains {Points(best.Difference)} points " +
                            $"[{Points(best.Interval.Low)}, {Points(best.Interval.High)}] at a clean change of {Points(cost.Difference)} points. ");
            }
            else if (losses.Count > 0)
                text.Append($"So the regulariser costs worst-case robustness here (alpha {string.Join(", ", losses.Select(l => PivotFormat.Alpha(l.Alpha)))}). ");
            else if (arm.Worst.Where(ConsistentButUnbounded).ToList() is { Count: > 0 } consistent)
                foreach (var same in consistent.GroupBy(w => w.Difference > 0))
                    text.Append(Unbounded(same.ToList(), same.Key ? "higher" : "lower"));
            else
            {
                text.Append($"No alpha changes the worst case detectably: the intervals reach {Points(widest)} points either way, " +
                            "so an effect smaller than that cannot be told from noise with these seeds and images. ");
                foreach (var w in arm.Worst.Where(w => !w.Detected && w.P < StudyAnalysis.Level && (w.Interval.Low > 0 || w.Interval.High < 0)))
                    text.Append($"Alpha {PivotFormat.Alpha(w.Alpha)} is suggestive (uncorrected p {P(w.P)}, interval excluding 0) but does not survive " +
                                $"Holm's correction for {arm.Worst.Count} comparisons. ");
            }
            var flagged = arm.Alphas.SelectMany(a => a.Cells).Where(c => c.Flags.Length > 0).ToList();
            var total = arm.Alphas.Sum(a => a.Cells.Count);
            text.Append(flagged.Count == 0
                ? $"No model was flagged by the masking checks ({total} models). "
                : $"The masking checks flagged {flagged.Count} of {total} models ({Flagged(flagged)}); " +
                  "their worst case rests on the gradient-free attack. ");
        }
        foreach (var q in s.Searches) text.Append(SearchSentence(q)).Append(' ');
        if (!s.Complete) text.Append($"Partial: {s.GridCells - s.MissingCells.Count} of {s.GridCells} cells.");
        return text.ToString().TrimEnd();
    }

    /// <summary>The search against the grid in one sentence: paired difference, non-inferiority at 3 points, cost ratio; either best's masking flags beside it.</summary>
    public static string SearchSentence(StudySearch q)
    {
        var cost = $"{q.SearchSeconds.ToString("N0", Invariant)} trainer-seconds" +
                   (q.GridSeconds > 0 ? $" against the grid's {q.GridSeconds.ToString("N0", Invariant)} for seed {q.Seed} ({q.CostRatio.ToString("0.00", Invariant)} of it" +
                    (q.AnyExpired ? $"; {q.CostRatioWithoutExpired.ToString("0.00", Invariant)} without the attempts that ended by lease expiry " +
                                    $"({(q.SearchExpiredSeconds + q.GridExpiredSeconds).ToString("N0", Invariant)} s, wall time that can include time no trainer ran)" : "") + ")" : "");
        static string Doubt(StudyCell c) => c.Flags.Length > 0 ? $" (flagged {string.Join(", ", c.Flags)})" : "";
        if (q.GridBest is not { } g) return $"The search ({q.Part}) found alpha {PivotFormat.Alpha(q.Best.Point.Alpha)} at {Pct(q.Best.WorstAccuracy)} worst case{Doubt(q.Best)}; the grid has no cell of seed {q.Seed} to compare with; cost {cost}.";
        var margin = (100 * StudySearch.Margin).ToString("0.#", Invariant);
        return $"The search ({q.Part}) found alpha {PivotFormat.Alpha(q.Best.Point.Alpha)} at {Pct(q.Best.WorstAccuracy)} worst case{Doubt(q.Best)} against the grid's alpha {PivotFormat.Alpha(g.Point.Alpha)} at {Pct(g.WorstAccuracy)}{Doubt(g)}: " +
               $"{Points(q.Difference)} points [{Points(q.DifferenceInterval.Low)}, {Points(q.DifferenceInterval.High)}] paired on the same images ({q.OnlySearch} images robust for the search's best only, {q.OnlyGrid} for the grid's only, McNemar p {P(q.P)}), " +
               (q.NonInferior ? $"so it is non-inferior at a {margin}-point margin" : $"so non-inferiority at a {margin}-point margin is not shown (the lower bound is below it)") +
               $", for {cost}.";
    }

    /// <summary>Alphas that beat (or trail) the baseline in every seed, significantly, yet with too few seeds to bound the effect:
    /// one sentence for all of them (each one's interval and Holm p are in the sentence before).</summary>
    static string Unbounded(List<Comparison> same, string direction)
    {
        var tail = "more seeds decide whether the method does. ";
        if (same.Count == 1)
        {
            var w = same[0];
            return $"Alpha {PivotFormat.Alpha(w.Alpha)} is {direction} {(w.Seeds.Count == 1 ? "in the one seed" : $"in each of the {w.Seeds.Count} seeds")} measured " +
                   $"({string.Join(", ", w.Seeds.Select(x => Points(x.Difference)))} points; pooled McNemar p {P(w.P)}, Holm {P(w.AdjustedP)}), " +
                   $"so these models differ beyond doubt, but {w.Seeds.Count} seed{(w.Seeds.Count == 1 ? " is" : "s are")} too few to bound the effect over training runs " +
                   $"(interval{(w.Seeds.Count == 1 ? ", over images alone," : "")} [{Points(w.Interval.Low)}, {Points(w.Interval.High)}]): " + tail;
        }
        int fewest = same.Min(w => w.Seeds.Count), most = same.Max(w => w.Seeds.Count);
        var seeds = fewest == most ? $"{most}" : $"{fewest} to {most}";
        return $"Alphas {List(same.Select(w => PivotFormat.Alpha(w.Alpha)))} are each {direction} in every seed measured " +
               $"({string.Join("; ", same.Select(w => $"alpha {PivotFormat.Alpha(w.Alpha)}: {string.Join(", ", w.Seeds.Select(x => Points(x.Difference)))}"))} points; " +
               $"Holm p at most {P(same.Max(w => w.AdjustedP))}), so these models differ beyond doubt, but {seeds} seed{(most == 1 ? " is" : "s are")} " +
               "too few to bound the effect over training runs (the intervals above reach 0): " + tail;
    }

    /// <summary>Flagged models grouped by their flags, then by alpha: "gradient-masking-suspected: alpha 0 s42/s43, alpha 1 s44".</summary>
    static string Flagged(IEnumerable<StudyCell> cells) => string.Join("; ", cells
        .GroupBy(c => string.Join(", ", c.Flags))
        .Select(f => $"{f.Key}: " + string.Join(", ", f.GroupBy(c => c.Point.Alpha).OrderBy(a => a.Key)
            .Select(a => $"alpha {PivotFormat.Alpha(a.Key)} {string.Join("/", a.OrderBy(c => c.Point.Seed).Select(c => $"s{c.Point.Seed}"))}"))));

    static string List(IEnumerable<string> items)
    {
        var all = items.ToList();
        return all.Count <= 1 ? string.Join("", all) : $"{string.Join(", ", all.Take(all.Count - 1))} and {all[^1]}";
    }

    /// <summary>Significant after correction and the same sign in every seed, yet the interval over seeds reaches 0: too few seeds.</summary>
    static bool ConsistentButUnbounded(Comparison c) => !c.Detected && c.AdjustedP < StudyAnalysis.Level
        && c.Seeds.All(x => Math.Sign(x.Difference) == Math.Sign(c.Difference) && x.Difference != 0);

    static string Verdict(Comparison c) => c.Detected
        ? c.Difference > 0 ? "higher, detected" : "lower, detected"
        : ConsistentButUnbounded(c) ? c.Seeds.Count == 1 ? $"{(c.Difference > 0 ? "higher" : "lower")} in its one seed, more seeds needed"
            : $"{(c.Difference > 0 ? "higher" : "lower")} in every seed, too few seeds to bound it"
        : c.AdjustedP < StudyAnalysis.Level ? "significant, but the seeds disagree in sign" : "within noise";

    static string Pct(double fraction) => PivotFormat.Percent(fraction) + "%";
    static string Points(double fraction) => (100 * fraction).ToString("+0.0;-0.0;0.0", Invariant);
    static string P(double p) => p < 0.001 ? p.ToString("0.0e0", Invariant) : p.ToString("0.000", Invariant);
    static string Codes(string[] codes) => codes.Length == 0 ? "-" : string.Join(", ", codes);
    static string Duration(TimeSpan t) => $"{(int)t.TotalHours}h{t.Minutes:D2}m";
}
