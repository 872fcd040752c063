namespace StableSnn.Grains.Search;

/// <summary>
/// The first trials of a search, spread over the space instead of drawn at random: on budgets of 9 to 20 trials random
/// draws leave whole regions untried. Where a log-uniform range may propose 0, trial 0 proposes it (the baseline every
/// result is compared with). Otherwise a Latin hypercube: each range, in its coordinates (log for log-uniform), is cut
/// into as many equal strata as there are start trials taking it, and each such trial lands in a different stratum,
/// at a uniform jitter inside it; a choice cycles through a permutation of its values.
/// </summary>
/// <remarks>
/// The permutations come from the search seed alone, so the trials form one design (per-trial permutations would put
/// two trials in one stratum); each trial's jitter comes from its own stream. A point depends on the seed and the trial
/// number only, never on the history or on what was proposed before: a restarted search re-proposes the same points.
/// </remarks>
public sealed class StartDesign
{
    readonly SearchSpace _space;
    readonly int _seed;
    /// <summary>Per dimension: the stratum (or choice index) of each design slot, a permutation.</summary>
    readonly int[][] _slots;

    public StartDesign(SearchSpace space, int seed, int trials)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        (_space, _seed, Trials) = (space, seed, trials);
        var random = ProposerRandom.ForSearch(seed);
        _slots = [.. space.Dimensions.Select(d => Permutation(random, d.Kind == DimensionKind.Choice ? d.Choices.Length : Strata(d)))];
    }

    /// <summary>How many trials the design proposes: trials 0 to Trials - 1.</summary>
    public int Trials { get; }

    /// <summary>Strata of a range: one per start trial, less trial 0 where it proposes 0.</summary>
    public int Strata(SearchDimension dimension) => dimension.HasZero ? Math.Max(0, Trials - 1) : Trials;

    /// <summary>The design's point for the trial, or null past the start.</summary>
    public SearchPoint? At(int trialNumber)
    {
        if (trialNumber < 0 || trialNumber >= Trials) return null;
        var jitter = ProposerRandom.For(_seed, trialNumber);
        var values = new double[_space.Dimensions.Length];
        for (int k = 0; k < values.Length; k++)
        {
            var d = _space.Dimensions[k];
            if (d.Kind == DimensionKind.Choice) values[k] = d.Choices[_slots[k][trialNumber % d.Choices.Length]];
            else if (d.HasZero && trialNumber == 0) values[k] = 0;
            else
            {
                int stratum = _slots[k][d.HasZero ? trialNumber - 1 : trialNumber];
                double low = d.ToCoordinate(d.Low), high = d.ToCoordinate(d.High);
                values[k] = d.FromCoordinate(low + (stratum + jitter.NextDouble()) / Strata(d) * (high - low));
            }
        }
        return new SearchPoint(values);
    }

    /// <summary>0 .. n-1 shuffled (Fisher-Yates).</summary>
    static int[] Permutation(Random random, int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
