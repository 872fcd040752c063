using StableSnn.Grains.Model;

namespace StableSnn.Grains.Policy;

/// <summary>Turns a sweep's axes into grid points. Deterministic, so re-submitting a sweep yields the same keys.</summary>
public static class GridExpansion
{
    /// <summary>
    /// Product of the axis lengths without materialising the grid; saturates at <see cref="long.MaxValue"/> so a
    /// hostile spec cannot overflow into a small (accepted) number.
    /// </summary>
    public static long Count(SweepSpec spec)
    {
        long count = 1;
        foreach (var length in AxisLengths(spec))
        {
            if (length == 0) return 0;
            count = count > long.MaxValue / length ? long.MaxValue : count * length;
        }
        return count;
    }

    /// <summary>
    /// Datasets, architectures, neurons, modes, alphas, seeds nested in that order (seeds vary fastest), each axis in
    /// the order given. Keys are unique only for a spec that passes <see cref="SweepValidation"/> (no duplicates).
    /// </summary>
    public static IEnumerable<GridPoint> Expand(SweepSpec spec)
    {
        foreach (var dataset in spec.Datasets ?? [])
        foreach (var architecture in spec.Architectures ?? [])
        foreach (var neuron in spec.Neurons ?? [])
        foreach (var mode in spec.Modes ?? [])
        foreach (var alpha in spec.Alphas ?? [])
        foreach (var seed in spec.Seeds ?? [])
            // -0.0 + 0.0 is +0.0: keeps "a-0" out of keys, since -0 and 0 are the same weight.
            yield return new GridPoint(dataset, architecture, neuron, mode, alpha + 0.0, seed);
    }

    /// <summary>
    /// The grid point at <paramref name="index"/> of <see cref="Expand"/>, computed from the index (mixed radix, seeds
    /// fastest), so a sweep need not hold its grid: a queued point costs its phase byte only.
    /// </summary>
    public static GridPoint At(SweepSpec spec, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count(spec));
        return Decode(spec, index);
    }

    private static GridPoint Decode(SweepSpec spec, long index)
    {
        int seed = Digit(spec.Seeds.Length, ref index), alpha = Digit(spec.Alphas.Length, ref index);
        int mode = Digit(spec.Modes.Length, ref index), neuron = Digit(spec.Neurons.Length, ref index);
        int architecture = Digit(spec.Architectures.Length, ref index), dataset = Digit(spec.Datasets.Length, ref index);
        return new GridPoint(spec.Datasets[dataset], spec.Architectures[architecture], spec.Neurons[neuron], spec.Modes[mode],
            spec.Alphas[alpha] + 0.0, spec.Seeds[seed]);

        static int Digit(int radix, ref long rest)
        {
            int digit = (int)(rest % radix);
            rest /= radix;
            return digit;
        }
    }

    /// <summary>The grid as a list whose points are computed on access (see <see cref="At"/>).</summary>
    public static IReadOnlyList<GridPoint> Lazy(SweepSpec spec) => new LazyGrid(spec, (int)Math.Min(Count(spec), int.MaxValue));

    private sealed class LazyGrid(SweepSpec spec, int count) : IReadOnlyList<GridPoint>
    {
        public GridPoint this[int index] =>
            (uint)index < (uint)count ? Decode(spec, index) : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => count;
        public IEnumerator<GridPoint> GetEnumerator() => Expand(spec).Take(count).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private static IEnumerable<long> AxisLengths(SweepSpec spec) =>
    [
        spec.Datasets?.Length ?? 0, spec.Architectures?.Length ?? 0, spec.Neurons?.Length ?? 0,
        spec.Modes?.Length ?? 0, spec.Alphas?.Length ?? 0, spec.Seeds?.Length ?? 0,
    ];
}
