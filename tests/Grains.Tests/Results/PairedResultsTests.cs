using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;

namespace StableSnn.Grains.Tests.Results;

/// <summary>Intervals, the worst-case row and the paired test against the baseline twin, on numbers worked out by hand.</summary>
public sealed class PairedResultsTests
{
    static string Mask(params int[] bits) => ExampleMask.Pack(bits.Select(b => b == 1).ToArray());

    static CompletedExperiment Row(double alpha, int seed, string cleanMask, string pgdMask, string worstMask, bool unreliable = false)
    {
        static double Acc(string m) => ExampleMask.Unpack(m, 10).Count(x => x) / 10.0;
        var point = new GridPoint("fashion-mnist", "small-cnn", "dlif", "at", alpha, seed);
        return new CompletedExperiment(point.ExperimentKey("paired"), point, new ExperimentOutcome
        {
            CleanAccuracy = Acc(cleanMask), Examples = 10, CleanMask = cleanMask,
            Attacks = [new AttackAccuracy("PGD-7", 8 / 255.0, Acc(pgdMask), 10, false) { Mask = pgdMask, Unreliable = unreliable }],
            WorstCases = [new AttackAccuracy(WorstCase.Label, 8 / 255.0, Acc(worstMask), 10, false) { Mask = worstMask }],
        });
    }

    [Fact]
    public void One_seed_gets_a_Wilson_interval_and_a_McNemar_test_against_alpha_zero()
    {
        var table = ResultsTable.Build(
        [
            Row(0, 1, Mask(1, 1, 1, 1, 1, 1, 1, 1, 0, 0), Mask(1, 1, 0, 0, 0, 0, 0, 0, 0, 0), Mask(1, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            // alpha 1 keeps 6 more images under the worst case and loses none: discordant (6, 0), p = 2 / 64.
            Row(1, 1, Mask(1, 1, 1, 1, 1, 1, 1, 1, 0, 0), Mask(1, 1, 1, 1, 1, 1, 1, 1, 0, 0), Mask(1, 1, 1, 1, 1, 1, 1, 0, 0, 0), unreliable: true),
        ]);

        Assert.Equal([ResultRow.Clean, WorstCase.Label, "PGD-7"], table.Where(r => r.Alpha == 1).Select(r => r.Attack));
        var worst = table.Single(r => r.Alpha == 1 && r.IsWorstCase);
        Assert.Equal(0.7, worst.Mean, 10);
        Assert.Equal(0.6, worst.Delta!.Value, 10);
        Assert.Equal(0.03125, worst.PValue!.Value, 10);
        Assert.True(worst.Significant);
        // Wilson 7/10: centre (0.7 + z^2/20) / (1 + z^2/10) = 0.6445, half 0.2477 (hand-computed with z = 1.96).
        Assert.Equal(0.3968, worst.Interval.Low, 3);
        Assert.Equal(0.8922, worst.Interval.High, 3);

        var clean = table.Single(r => r.Alpha == 1 && r.Attack == ResultRow.Clean);
        Assert.Equal(0, clean.Delta!.Value, 10);
        Assert.Equal(1, clean.PValue!.Value, 10); // the same images right on both sides: no evidence of a difference
        Assert.True(table.Single(r => r.Alpha == 1 && r.Attack == "PGD-7").Unreliable);
        Assert.All(table.Where(r => r.Alpha == 0), r => Assert.Null(r.Delta)); // the baseline is not tested against itself
    }

    [Fact]
    public void Several_seeds_pool_their_discordant_images_and_the_interval_counts_seeds_and_images()
    {
        var ten = Mask(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var table = ResultsTable.Build(
        [
            Row(0, 1, ten, Mask(1, 1, 1, 0, 0, 0, 0, 0, 0, 0), Mask(1, 1, 1, 0, 0, 0, 0, 0, 0, 0)),
            Row(0, 2, ten, Mask(1, 1, 0, 0, 0, 0, 0, 0, 0, 0), Mask(1, 1, 0, 0, 0, 0, 0, 0, 0, 0)),
            Row(0.5, 1, ten, Mask(1, 1, 1, 1, 1, 0, 0, 0, 0, 0), Mask(1, 1, 1, 1, 1, 0, 0, 0, 0, 0)), // (2, 0)
            Row(0.5, 2, ten, Mask(0, 1, 1, 1, 0, 0, 0, 0, 0, 0), Mask(0, 1, 1, 1, 0, 0, 0, 0, 0, 0)), // (2, 1)
        ]);
        var worst = table.Single(r => r.Alpha == 0.5 && r.IsWorstCase);
        Assert.Equal(2, worst.Count);
        Assert.Equal(0.4, worst.Mean, 10);
        Assert.Equal(0.15, worst.Delta!.Value, 10);
        Assert.Equal(0.375, worst.PValue!.Value, 10); // discordant (4, 1): 2 (1 + 5) / 32
        // Crossed seeds x images (hand-computed): MS_seed = 10 (0.1^2 + 0.1^2) = 0.2, MS_image = 2 * 3.8 / 9 / 2 = 0.4222,
        // MS_e = 0.0889; Var = (0.0889 + 0.1111 + 0.3333) / 20 = 0.02667; Satterthwaite df = 0.2844 / 0.0607 = 4.7 -> 4,
        // t(4) = 2.776: half 2.776 * 0.1633 = 0.4533, so [0 (clipped), 0.8533]; wider than Wilson 4/10 [0.168, 0.687].
        Assert.Equal(0, worst.Interval.Low, 10);
        Assert.Equal(0.8533, worst.Interval.High, 4);
    }
}
