namespace StableSnn.Grains.Search;

/// <summary>
/// Proposes the hyper-parameters of trial number <c>trialNumber</c> (0, 1, 2 ...) given the finished trials so far.
/// A pure function of (seed, trial number, history): the same spec proposes the same points. The sweep still stores
/// each proposal before it runs: after a restart the history a trial was proposed from may have grown (late results).
/// </summary>
public interface IProposer
{
    SearchPoint Propose(int trialNumber, IReadOnlyList<SearchObservation> finished);
}

/// <summary>The random stream for one trial, derived from the search seed and the trial number.</summary>
public static class ProposerRandom
{
    /// <summary>
    /// A fresh <see cref="Random"/> per trial rather than one long stream: trial k's draws do not depend on how many
    /// draws earlier trials took, nor on whether the process restarted in between. The seed is mixed (SplitMix64's
    /// finaliser) so neighbouring trials and seeds do not get correlated streams. Seeded System.Random is the same
    /// algorithm on every .NET version, so a spec proposes the same points everywhere.
    /// </summary>
    public static Random For(int seed, int trialNumber)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trialNumber);
        return Mixed((ulong)(uint)seed << 32 | (uint)trialNumber);
    }

    /// <summary>
    /// The stream of the search as a whole (the start design's permutations): that of trial number -1, which no trial
    /// has, so it is independent of every trial's stream.
    /// </summary>
    public static Random ForSearch(int seed) => Mixed((ulong)(uint)seed << 32 | uint.MaxValue);

    static Random Mixed(ulong key)
    {
        ulong z = unchecked(key + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return new Random((int)(z & int.MaxValue));
    }
}

/// <summary>Random search: the start design's trials (<see cref="StartDesign"/>), then draws from the prior; no history.</summary>
public sealed class RandomProposer(SearchSpace space, int seed, int startTrials = 0) : IProposer
{
    readonly StartDesign _start = new(space, seed, startTrials);
    readonly SearchSpace _space = space;
    readonly int _seed = seed;

    public SearchPoint Propose(int trialNumber, IReadOnlyList<SearchObservation> finished) =>
        _start.At(trialNumber) ?? _space.Sample(ProposerRandom.For(_seed, trialNumber));
}
