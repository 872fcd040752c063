using StableSnn.Client.Results;
using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;
using StableSnn.Grains.Tests.Results;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

/// <summary>The plots' model: panels, series, labels and points, checked without reading pixels.</summary>
public sealed class RobustnessPlotsTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertPng(byte[] bytes, int width, int height)
    {
        Assert.Equal(PngSignature, bytes[..8]);
        // IHDR follows the signature: length, "IHDR", then width and height as big-endian integers.
        Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    static IReadOnlyList<ResultRow> Table() => ReportSamples.Data().Table;

    [Fact]
    public void Alpha_figure_has_a_panel_per_grid_group_with_clean_and_worst_case_bold_and_attacks_thin()
    {
        var figure = RobustnessPlots.AgainstAlpha(Table());

        Assert.Equal(["mnist small-cnn dlif at", "mnist small-cnn lif at"], figure.Panels.Select(p => p.Title));
        Assert.Equal("alpha", figure.XLabel);
        Assert.Contains("95% interval", figure.YLabel);
        var dlif = figure.Panels[0];
        Assert.Equal(["clean", "worst case 8/255", "fgsm 8/255 (unreliable)", "pgd 8/255 (unreliable)"], dlif.Series.Select(s => s.Name));
        Assert.Equal([SeriesRole.Clean, SeriesRole.WorstCase, SeriesRole.Attack, SeriesRole.Attack], dlif.Series.Select(s => s.Role));
        Assert.Equal([true, true, false, false], dlif.Series.Select(s => s.Bold));
        Assert.Equal(["clean", "worst case 8/255", "fgsm 8/255", "pgd 8/255"], figure.Panels[1].Series.Select(s => s.Name));
        // A measure keeps its Okabe–Ito colour in every panel: clean black, the worst case vermillion.
        Assert.Equal(figure.Panels[0].Series.Select(s => s.Color), figure.Panels[1].Series.Select(s => s.Color));
        Assert.Equal(["#000000", "#D55E00"], dlif.Series.Take(2).Select(s => s.Color));
        Assert.All(figure.Panels.SelectMany(p => p.Series), s => Assert.Contains(s.Color, RobustnessPlots.OkabeIto));
        Assert.Equal(4, dlif.Series.Select(s => s.Color).Distinct().Count());

        // Points: alpha on x, accuracy and its Wilson interval in percent.
        var worst = figure.Panels[1].Series[1];
        Assert.Equal([0.0, 1.0], worst.Points.Select(p => p.X));
        foreach (var (point, alpha) in worst.Points.Zip(new[] { 0.0, 1.0 }))
        {
            var correct = ReportSamples.Counts[("lif", alpha)].Worst;
            var ci = Accuracy.Wilson(correct, ReportSamples.Images);
            Assert.Equal(100.0 * correct / ReportSamples.Images, point.Y, 9);
            Assert.Equal(100 * ci.Low, point.Low, 9);
            Assert.Equal(100 * ci.High, point.High, 9);
        }

        AssertPng(RobustnessPlots.Render(figure), 2 * PlotFigure.PanelWidth, PlotFigure.PanelHeight);
    }

    [Fact]
    public void Clean_against_robust_scatter_is_coloured_by_alpha()
    {
        var figure = RobustnessPlots.CleanAgainstRobust(Table());

        Assert.NotNull(figure);
        var panel = Assert.Single(figure.Panels);
        Assert.Equal("worst case 8/255", panel.Title);
        Assert.Equal(["alpha 0", "alpha 1"], panel.Series.Select(s => s.Name));
        Assert.Equal(2, panel.Series.Select(s => s.Color).Distinct().Count());
        var alpha1 = panel.Series[1];
        var expected = new[] { "dlif", "lif" }.Select(n => ReportSamples.Counts[(n, 1)])
            .Select(c => (X: 100.0 * c.Clean / ReportSamples.Images, Y: 100.0 * c.Worst / ReportSamples.Images))
            .OrderBy(p => p.X).ToList();
        Assert.Equal(expected.Select(p => p.X), alpha1.Points.Select(p => p.X));
        Assert.Equal(expected.Select(p => p.Y), alpha1.Points.Select(p => p.Y));
        Assert.Equal("clean accuracy (%)", figure.XLabel);
    }

    [Fact]
    public void Epsilon_figure_appears_only_when_an_attack_runs_at_several_epsilons_and_labels_them_k_over_255()
    {
        Assert.Null(RobustnessPlots.AgainstEpsilon(Table())); // one epsilon per attack

        CompletedExperiment Row(double alpha, double a8, double a16)
        {
            var row = ResultSamples.Row(alpha, 1, 0.9, [ResultSamples.Attack("PGD-10-eps8", 8 / 255.0, a8), ResultSamples.Attack("PGD-10-eps16", 16 / 255.0, a16)]);
            return row with
            {
                Outcome = row.Outcome with
                {
                    WorstCases = [new AttackAccuracy(WorstCase.Label, 8 / 255.0, a8, 100, false), new AttackAccuracy(WorstCase.Label, 16 / 255.0, a16, 100, false)],
                },
            };
        }
        var table = ResultsTable.Build([Row(0, 0.4, 0.2), Row(1, 0.6, 0.3)]);

        var figure = RobustnessPlots.AgainstEpsilon(table);

        Assert.NotNull(figure);
        Assert.Equal(["fashion-mnist small-cnn lif at: worst case", "fashion-mnist small-cnn lif at: PGD-10"], figure.Panels.Select(p => p.Title));
        Assert.Equal([(8.0, "8/255"), (16.0, "16/255")], figure.XTicks!);
        var pgd = figure.Panels[1];
        Assert.Equal(["alpha 0", "alpha 1"], pgd.Series.Select(s => s.Name));
        Assert.Equal([8.0, 16.0], pgd.Series[1].Points.Select(p => p.X));
        Assert.Equal([60.0, 30.0], pgd.Series[1].Points.Select(p => p.Y));
        // The alpha figure names the two worst cases by their epsilon.
        Assert.Equal(["clean", "worst case 8/255", "worst case 16/255", "PGD-10-eps8 8/255", "PGD-10-eps16 16/255"],
            RobustnessPlots.AgainstAlpha(table).Panels.Single().Series.Select(s => s.Name));
        Assert.Equal([RobustnessPlots.AlphaFile, RobustnessPlots.EpsilonFile, RobustnessPlots.ScatterFile], RobustnessPlots.All(table).Select(f => f.File));
        AssertPng(RobustnessPlots.Render(figure), 2 * PlotFigure.PanelWidth, PlotFigure.PanelHeight);
    }

    [Fact]
    public void Clean_only_with_one_alpha_is_one_panel_with_one_point_and_no_other_figure()
    {
        var table = ResultsTable.Build([ResultSamples.Row(0.5, 1, 0.9, []), ResultSamples.Row(0.5, 2, 0.8, [])]);
        var path = _dir.File("alpha.png");

        var info = AlphaPlot.Write(table, path);

        Assert.Equal([new AlphaSeries("fashion-mnist small-cnn lif at: clean", 1)], info.Series);
        AssertPng(File.ReadAllBytes(path), PlotFigure.PanelWidth, PlotFigure.PanelHeight);
        Assert.Single(RobustnessPlots.All(table));
    }

    [Fact]
    public void Panels_wrap_after_three_columns()
    {
        var rows = new[] { "a", "b", "c", "d" }.Select(n => ResultSamples.Row(0, 1, 0.9, [], neuron: n)).ToList();

        var figure = RobustnessPlots.AgainstAlpha(ResultsTable.Build(rows));

        Assert.Equal(4, figure.Panels.Count);
        Assert.Equal((3, 2), (figure.Columns, figure.Rows));
        AssertPng(RobustnessPlots.Render(figure), 3 * PlotFigure.PanelWidth, 2 * PlotFigure.PanelHeight);
    }

    [Fact]
    public void Empty_table_is_refused_without_writing()
    {
        var path = _dir.File("none.png");

        Assert.Throws<ArgumentException>(() => AlphaPlot.Write([], path));
        Assert.False(File.Exists(path));
        Assert.Empty(RobustnessPlots.All([]));
    }
}
