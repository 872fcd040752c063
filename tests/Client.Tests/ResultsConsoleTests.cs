using System.Globalization;
using Spectre.Console;
using StableSnn.Client.Commands;
using StableSnn.Contracts;

namespace StableSnn.Client.Tests;

/// <summary>The console's results tables as a redirected stdout gets them (no colours, 1,000 columns).</summary>
public sealed class ResultsConsoleTests
{
    static string[] Render(Action<IAnsiConsole> print) => ConsoleCapture.Render(print);

    static string Pct(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture);

    static string[] Cells(string line) => line.Split('│').Select(c => c.Trim()).ToArray();

    [Fact]
    public void Pivot_has_one_line_per_grid_point_with_intervals_paired_tests_and_flags()
    {
        var data = ReportSamples.Data();

        var lines = Render(c => ResultsView.Print(data.Table, data.Spec.BaselineAlpha, c));

        var header = Cells(lines.Single(l => l.Contains("grid point")));
        Assert.Equal(["grid point", "alpha", "seeds x images", "clean", "fgsm 8/255", "pgd 8/255", "worst-case 8/255", "masking flags"], header[1..^1]);
        foreach (var ((neuron, alpha), c) in ReportSamples.Counts)
        {
            var at = Array.FindIndex(lines, l => Cells(l) is { Length: > 3 } x && x[1] == $"mnist small-cnn {neuron} at" && x[2] == alpha.ToString(CultureInfo.InvariantCulture));
            Assert.True(at >= 0, $"no line for {neuron} alpha {alpha}");
            var first = Cells(lines[at]);
            var second = Cells(lines[at + 1]); // the paired test, beneath each cell (the next grid point for the baseline)
            var b = ReportSamples.Counts[(neuron, 0)];
            var measures = new[] { (c.Clean, b.Clean), (c.Fgsm, b.Fgsm), (c.Pgd, b.Pgd), (c.Worst, b.Worst) };
            for (var i = 0; i < measures.Length; i++)
            {
                var (correct, baseCorrect) = measures[i];
                var ci = Accuracy.Wilson(correct, ReportSamples.Images);
                Assert.StartsWith($"{Pct((double)correct / ReportSamples.Images)}% [{Pct(ci.Low)}–{Pct(ci.High)}]", first[4 + i]);
                if (alpha == 0)
                {
                    Assert.DoesNotContain("p=", first[4 + i] + second[4 + i]); // the baseline is not tested against itself
                    continue;
                }
                Assert.Equal("", second[1]); // a continuation line of the same grid point
                var p = Accuracy.McNemarExact(Math.Max(0, correct - baseCorrect), Math.Max(0, baseCorrect - correct));
                var delta = (double)(correct - baseCorrect) / ReportSamples.Images;
                Assert.StartsWith($"{(delta >= 0 ? "+" : "-")}{Pct(Math.Abs(delta))} p=", second[4 + i]);
                Assert.Equal(p < 0.05, second[4 + i].EndsWith('*'));
            }
            var flagged = neuron == "dlif" && alpha == 1;
            Assert.Equal(flagged, first[6].EndsWith("unreliable")); // pgd
            Assert.DoesNotContain("unreliable", first[7]);           // never the worst case
            Assert.Equal(flagged ? "1 of 1 seeds: stronger-attack-found" : "-", first[8]);
        }
        Assert.Equal(4, lines.Count(l => l.Contains("mnist small-cnn")));
    }

    [Fact]
    public void Long_form_keeps_one_line_per_grid_point_and_measure()
    {
        var data = ReportSamples.Data();

        var lines = Render(c => ResultsView.PrintLong(data.Table, c));

        Assert.Contains(lines, l => l.Contains("measure") && l.Contains("95% interval"));
        Assert.Equal(4 * 4, lines.Count(l => l.Contains("mnist small-cnn"))); // clean, worst case, fgsm, pgd per grid point
        Assert.Contains(lines, l => l.Contains("worst-case") && l.Contains("8/255"));
    }
}
