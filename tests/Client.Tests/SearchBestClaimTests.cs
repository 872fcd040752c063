using StableSnn.Client.Results;
using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;

namespace StableSnn.Client.Tests;

/// <summary>The best trial as a claim: Wilson interval over its images and McNemar against the runner-up, on hand-made masks.</summary>
public sealed class SearchBestClaimTests
{
    static TrialSnapshot Trial(int number, double alpha, bool[]? mask, int examples) => new()
    {
        Number = number, Phase = ExperimentPhase.Completed, Point = new GridPoint("mnist", "small-cnn", "lif", "at", alpha, 1),
        Objective = new ObjectiveValue(mask is null ? 0.5 : mask.Count(c => c) / (double)mask.Length, "worst-case", 0.8, true, false)
        {
            Examples = examples, Mask = mask is null ? null : ExampleMask.Pack(mask),
        },
    };

    static SearchSnapshot Search(params TrialSnapshot[] trials) => new()
    {
        Spec = new SearchSpec { Algorithm = "asha" }, Trials = [.. trials],
        BestTrial = trials.OrderByDescending(t => t.Objective!.Score).First().Number,
    };

    static bool[] Correct(int count, params int[] right) => [.. Enumerable.Range(0, count).Select(right.Contains)];

    [Fact]
    public void A_best_within_paired_noise_of_the_runner_up_is_called_a_region()
    {
        // Best right on images 0-14 of 20, the runner-up on 0-9 and 15-16: discordant 5 and 2, so
        // p = 2 (C(7,0) + C(7,1) + C(7,2)) / 2^7 = 58/128 = 0.453; Wilson 15/20 = [53.1, 88.8].
        var best = Trial(0, 2, Correct(20, [.. Enumerable.Range(0, 15)]), 20);
        var runnerUp = Trial(1, 0.5, Correct(20, [.. Enumerable.Range(0, 10), 15, 16]), 20);
        Assert.Equal("t000 (alpha 2) robust 75.0% [53.1–88.8] on 20 images; against the runner-up t001 (alpha 0.5, 60.0%): +15.0 points, " +
                     "5 images robust for the best only, 2 for the runner-up only, McNemar p = 0.453: within paired noise of it, so the search found a region rather than a winner",
            SearchTable.BestClaim(Search(runnerUp, best)));
    }

    [Fact]
    public void A_best_that_wins_every_discordant_image_is_better_beyond_noise()
    {
        // 30 of 40 against 20 of 40, the runner-up's images a subset of the best's: discordant 10 and 0, p = 2 / 2^10 = 0.002.
        var best = Trial(3, 1, Correct(40, [.. Enumerable.Range(0, 30)]), 40);
        var runnerUp = Trial(4, 0, Correct(40, [.. Enumerable.Range(0, 20)]), 40);
        var claim = SearchTable.BestClaim(Search(best, runnerUp))!;
        Assert.StartsWith("t003 (alpha 1) robust 75.0% [59.8–85.8] on 40 images", claim);
        Assert.EndsWith("10 images robust for the best only, 0 for the runner-up only, McNemar p = 0.002: better beyond paired noise", claim);
    }

    [Fact]
    public void Without_masks_or_a_runner_up_the_claim_says_what_it_could_not_test()
    {
        Assert.EndsWith("untested (no per-image results on the same images)", SearchTable.BestClaim(Search(Trial(0, 2, null, 0) with { }, Trial(1, 1, null, 0)))!);
        Assert.EndsWith("; no runner-up to test it against", SearchTable.BestClaim(Search(Trial(0, 2, Correct(4, 0, 1), 4)))!);
        Assert.Null(SearchTable.BestClaim(new SearchSnapshot { Spec = new SearchSpec { Algorithm = "asha" }, Trials = [] }));
    }
}
