using StableSnn.Client.Results;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Tests;

/// <summary>search.png and pareto.png: their model checked against the sample, and the PNGs kept under artifacts/ to look at.</summary>
public sealed class SearchPlotsTests
{
    static readonly string Artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "search");

    static void AssertPng(byte[] png)
    {
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.Equal(SearchFigure.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(SearchFigure.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    static TrialSeries Series(SearchFigure f, TrialMark mark) => f.Series.Single(s => s.Mark == mark);

    [Fact]
    public void Alpha_figure_puts_completed_trials_at_their_objective_stopped_ones_hollow_at_their_probe_and_rings_the_best()
    {
        var sample = new SearchSample(doubtBest: true);

        var figure = SearchPlots.AgainstAlpha(sample.Snapshot);

        double X(int trial) => sample.Trial(trial).Point.Alpha is > 0 and var a ? Math.Log10(a) : double.NaN;
        var zeroAlpha = Enumerable.Range(0, SearchSample.Trials).Where(t => sample.Trial(t).Point.Alpha == 0).ToList();
        Assert.NotEmpty(zeroAlpha); // the sample proposes alpha 0 too, which a log axis cannot place

        var stopped = Series(figure, TrialMark.Stopped);
        Assert.Equal("stopped at a rung (probe score)", stopped.Name);
        Assert.Equal(sample.Stopped.Select(s => s.Trial), stopped.Points.Select(p => p.Trial));
        foreach (var p in stopped.Points)
        {
            var rung = sample.Stopped.Single(s => s.Trial == p.Trial).Rung;
            var probe = (rung == 0 ? SearchSample.ProbeAtRung0 : SearchSample.ProbeAtRung1)[p.Trial];
            Assert.Equal(100 * probe, p.Y, 9);
        }

        // Completed trials at their objective, split by doubt and the clean floor; the best is doubted here.
        var completed = figure.Series.Where(s => s.Mark is TrialMark.Completed or TrialMark.Doubted or TrialMark.UnderFloor).SelectMany(s => s.Points).ToList();
        Assert.Equal(sample.Outcomes.Keys.Order(), completed.Select(p => p.Trial).Order());
        foreach (var p in completed) Assert.Equal(100 * sample.Outcomes[p.Trial].WorstCases[0].Accuracy, p.Y, 9);
        Assert.Equal([sample.Best], Series(figure, TrialMark.Doubted).Points.Select(p => p.Trial));
        Assert.All(Series(figure, TrialMark.UnderFloor).Points, p => Assert.True(sample.Outcomes[p.Trial].CleanAccuracy < SearchSample.Floor));
        Assert.Equal([sample.Best], Series(figure, TrialMark.Best).Points.Select(p => p.Trial));

        // Log axis: positive alphas at log10, alpha 0 left of the break, the break left of every positive alpha.
        var all = figure.Series.Where(s => s.Mark != TrialMark.Best).SelectMany(s => s.Points).ToList();
        Assert.NotNull(figure.AxisBreak);
        foreach (var p in all)
            if (zeroAlpha.Contains(p.Trial)) Assert.True(p.X < figure.AxisBreak, $"t{p.Trial} (alpha 0) at {p.X}");
            else
            {
                Assert.Equal(X(p.Trial), p.X, 9);
                Assert.True(p.X > figure.AxisBreak);
            }
        Assert.Contains(figure.XTicks!, t => t.Label == "0" && t.Position < figure.AxisBreak);

        var png = SearchPlots.Render(figure);
        AssertPng(png);
        Directory.CreateDirectory(Artifacts);
        File.WriteAllBytes(Path.Combine(Artifacts, figure.File), png);
    }

    [Fact]
    public void Pareto_figure_draws_the_front_as_a_staircase_through_its_trials()
    {
        var sample = new SearchSample();

        var figure = SearchPlots.Pareto(sample.Snapshot);

        var points = figure.Series.Where(s => s.Mark is TrialMark.Completed or TrialMark.Doubted).SelectMany(s => s.Points).ToList();
        Assert.Equal(sample.Outcomes.Keys.Order(), points.Select(p => p.Trial).Order());
        foreach (var p in points)
        {
            Assert.Equal(100 * sample.Outcomes[p.Trial].CleanAccuracy, p.X, 9);
            Assert.Equal(100 * sample.Outcomes[p.Trial].WorstCases[0].Accuracy, p.Y, 9);
        }
        var front = Series(figure, TrialMark.Front).Points;
        var trials = sample.Front.OrderBy(t => sample.Outcomes[t].CleanAccuracy).ToList();
        Assert.Equal(2 * trials.Count - 1, front.Count); // each trial, and a corner between two
        for (var i = 0; i < trials.Count; i++) Assert.Equal(points.Single(p => p.Trial == trials[i]), front[2 * i]);
        for (var i = 1; i < front.Count; i++)
        {
            Assert.True(front[i].X >= front[i - 1].X && front[i].Y <= front[i - 1].Y, "a staircase: right and down only");
            Assert.True(front[i].X == front[i - 1].X || front[i].Y == front[i - 1].Y, "each step is horizontal or vertical");
        }
        Assert.Equal([sample.Best], Series(figure, TrialMark.Best).Points.Select(p => p.Trial));
        Assert.Equal(100 * SearchSample.Floor, figure.CleanFloor);

        var png = SearchPlots.Render(figure);
        AssertPng(png);
        Directory.CreateDirectory(Artifacts);
        File.WriteAllBytes(Path.Combine(Artifacts, figure.File), png);
    }

    [Fact]
    public void Log_axis_places_alpha_zero_a_decade_left_and_labels_decades_as_numbers()
    {
        var (position, ticks, axisBreak) = SearchPlots.LogAlphaAxis([0, 0.004, 0.3, 2]);

        Assert.Equal([("0", -4.0), ("0.001", -3.0), ("0.01", -2.0), ("0.1", -1.0), ("1", 0.0), ("10", 1.0)], ticks.Select(t => (t.Item2, t.Item1)));
        Assert.Equal(-4, position(0));
        Assert.Equal(Math.Log10(0.3), position(0.3), 12);
        Assert.Equal(-3.5, axisBreak);
        Assert.Null(SearchPlots.LogAlphaAxis([0.5]).Break); // no alpha 0: no break
    }

    [Fact]
    public void A_search_without_measured_trials_has_no_series_to_draw()
    {
        var empty = StableSnn.Grains.Search.SearchRun.Summarise(new SearchSample().Spec.Search!, [], [1, 2, 4], 0, 0, false);

        Assert.Empty(SearchPlots.AgainstAlpha(empty).Series);
        Assert.Empty(SearchPlots.Pareto(empty).Series);
    }
}
