using StableSnn.Client.Results;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;

namespace StableSnn.Client.Tests;

/// <summary>Early stopping's calibration line, on hand-made finished trials (rung 0 score against final score).</summary>
public sealed class SearchCalibrationTests
{
    static SearchSnapshot Search(params (double Rung0, double Final)[] finished) => new()
    {
        Spec = new SearchSpec { Algorithm = "asha" },
        RungEpochs = [1, 3, 9],
        Trials =
        [
            .. finished.Select((f, i) => new TrialSnapshot
            {
                Number = i, Phase = ExperimentPhase.Completed, Point = new GridPoint("mnist", "small-cnn", "lif", "at", 0, 1),
                Rungs = [new RungScore(0, 1, f.Rung0, null)], Objective = new ObjectiveValue(f.Final, "worst-case", 0.8, true, false),
            }),
            // A stopped trial has no final score: it does not count.
            new TrialSnapshot { Number = 99, Phase = ExperimentPhase.Stopped, Point = new GridPoint("mnist", "small-cnn", "lif", "at", 1, 1), Rungs = [new RungScore(0, 1, 0.9, null)] },
        ],
    };

    [Fact]
    public void Rung_scores_that_rank_as_the_final_scores_are_calibrated()
    {
        // Eight finishers, one swap at the top: tau 26/28 = 0.93 [0.76, 0.98].
        var line = SearchTable.Calibration(Search((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 8), (8, 7)));
        Assert.Equal("early stopping calibrated: Kendall tau 0.93 [0.76, 0.98] between rung 0 (1 epoch) and final scores of 8 finished trials", line);
    }

    [Fact]
    public void An_interval_reaching_zero_or_too_few_finishers_is_uncalibrated_with_advice()
    {
        // Five finishers, tau 0.8 [-0.19, 0.98]: the interval reaches 0.
        var five = SearchTable.Calibration(Search((1, 1), (2, 3), (3, 2), (4, 4), (5, 5)))!;
        Assert.StartsWith("early stopping uncalibrated on this problem: Kendall tau 0.80 [-0.19, 0.98]", five);
        Assert.EndsWith("use finalists only (fewer, later rungs: minEpochs nearer epochs) or a grid", five);

        Assert.Contains("too few for an interval", SearchTable.Calibration(Search((1, 1), (2, 2), (3, 3)))!);
        Assert.StartsWith("early stopping uncalibrated on this problem: 1 finished trial(s)", SearchTable.Calibration(Search((1, 1))));
        Assert.Null(SearchTable.Calibration(Search((1, 1)) with { RungEpochs = [] })); // no rungs, nothing stopped early
    }
}
