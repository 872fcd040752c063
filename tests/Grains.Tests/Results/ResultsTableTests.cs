using StableSnn.Grains.Results;

namespace StableSnn.Grains.Tests.Results;

public sealed class ResultsTableTests
{
    private const int Precision = 9;

    [Fact]
    public void Rows_are_ordered_by_alpha_then_clean_then_attacks_in_first_seen_order()
    {
        var table = ResultsTable.Build(ResultSamples.Sweep());

        Assert.Equal(
            ["0 clean", "0 fgsm", "0 pgd", "0.5 clean", "0.5 fgsm", "0.5 pgd"],
            table.Select(r => $"{r.Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)} {r.Attack}"));
    }

    [Fact]
    public void Mean_and_sample_std_over_seeds()
    {
        var table = ResultsTable.Build(ResultSamples.Sweep());

        var fgsm = table.Single(r => r.Alpha == 0.5 && r.Attack == "fgsm");
        Assert.Equal(0.6, fgsm.Mean, Precision);
        Assert.Equal(Math.Sqrt(0.02), fgsm.Std, Precision); // (0.5 - 0.6)^2 + (0.7 - 0.6)^2 = 0.02, over n - 1 = 1
        Assert.Equal(0.141421, fgsm.Std, 6);
        Assert.Equal(2, fgsm.Count);
        Assert.Equal(0.1, fgsm.Epsilon);

        var clean = table.Single(r => r.Alpha == 0 && r.Attack == "clean");
        Assert.Equal(0.94, clean.Mean, Precision);
        Assert.Equal(Math.Sqrt(0.0002), clean.Std, Precision);
        Assert.Equal(0, clean.Epsilon);
    }

    [Fact]
    public void One_seed_has_zero_std()
    {
        var row = Assert.Single(ResultsTable.Build([ResultSamples.Row(1, 3, 0.8, [])]));

        Assert.Equal("clean", row.Attack);
        Assert.Equal(0.8, row.Mean);
        Assert.Equal(0, row.Std);
        Assert.Equal(1, row.Count);
    }

    [Fact]
    public void Sanity_attacks_are_left_out()
    {
        Assert.DoesNotContain(ResultsTable.Build(ResultSamples.Sweep()), r => r.Attack == "pgd-huge-eps");
    }

    [Fact]
    public void Flags_count_the_flagged_seeds_and_union_their_codes()
    {
        var rows = new[]
        {
            ResultSamples.Row(0, 1, 0.9, [ResultSamples.Attack("pgd", 0.1, 0.3)], ["b-flag", "a-flag"]),
            ResultSamples.Row(0, 2, 0.9, [ResultSamples.Attack("pgd", 0.1, 0.3)], ["a-flag", "c-flag"]),
            ResultSamples.Row(0, 3, 0.9, [ResultSamples.Attack("pgd", 0.1, 0.3)]),
        };

        var pgd = ResultsTable.Build(rows).Single(r => r.Attack == "pgd");

        Assert.Equal(3, pgd.Count);
        Assert.Equal(2, pgd.Flagged);
        Assert.Equal(["a-flag", "b-flag", "c-flag"], pgd.Flags);
        Assert.Empty(ResultsTable.Build([rows[2]]).Single(r => r.Attack == "pgd").Flags);
    }

    [Fact]
    public void Epsilons_of_one_attack_are_separate_rows()
    {
        var rows = new[] { ResultSamples.Row(0, 1, 0.9, [ResultSamples.Attack("fgsm", 0.3, 0.1), ResultSamples.Attack("fgsm", 0.1, 0.5)]) };

        var table = ResultsTable.Build(rows);

        Assert.Equal([("clean", 0.0), ("fgsm", 0.3), ("fgsm", 0.1)], table.Select(r => (r.Attack, r.Epsilon)));
    }

    [Fact]
    public void Grid_points_are_ordered_by_dataset_architecture_neuron_and_mode()
    {
        var rows = new[]
        {
            ResultSamples.Row(0, 1, 0.5, [], dataset: "mnist"),
            ResultSamples.Row(0, 1, 0.5, [], neuron: "lif", mode: "raw"),
            ResultSamples.Row(0, 1, 0.5, [], neuron: "dlif"),
            ResultSamples.Row(0, 1, 0.5, [], architecture: "vgg5"),
        };

        var table = ResultsTable.Build(rows);

        Assert.Equal(
            ["fashion-mnist/small-cnn/dlif/at", "fashion-mnist/small-cnn/lif/raw", "fashion-mnist/vgg5/lif/at", "mnist/small-cnn/lif/at"],
            table.Select(r => $"{r.Dataset}/{r.Architecture}/{r.Neuron}/{r.Mode}"));
    }

    [Fact]
    public void Search_trials_sharing_an_alpha_stay_apart_and_compare_with_the_first_trial_at_the_baseline()
    {
        Model.CompletedExperiment Trial(int n, double alpha, double pgd)
        {
            var row = ResultSamples.Row(alpha, 42, 0.9, [ResultSamples.Attack("pgd", 0.1, pgd)]);
            var point = row.Point with { Trial = n };
            return row with { Point = point, Key = point.ExperimentKey("demo") };
        }
        var table = ResultsTable.Build([Trial(0, 0.5, 0.30), Trial(1, 0, 0.10), Trial(2, 0.5, 0.40), Trial(3, 0, 0.20)]);

        var pgd = table.Where(r => r.Attack == "pgd").ToList();
        Assert.Equal([1, 3, 0, 2], pgd.Select(r => r.Trial!.Value)); // alpha, then trial
        Assert.All(pgd, r => Assert.Equal(1, r.Count)); // each trial its own row, not two seeds of one
        // Against trial 1, the first that ran at alpha 0.
        Assert.Equal([null, null, 0.2, 0.3], pgd.Select(r => r.Delta is { } d ? Math.Round(d, 10) : (double?)null));
    }
}

