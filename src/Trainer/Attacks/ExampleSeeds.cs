using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// One seed per example of a batch. Each example draws its noise from its own CPU generator, so what an attack does
/// to an example depends on that example's seed alone, not on which batch (or batch size) it came in. A single
/// number converts to seeds derived from it and the row index, for callers that attack one fixed batch.
/// </summary>
public sealed class ExampleSeeds
{
    readonly long[]? _seeds;
    readonly long _base;

    ExampleSeeds(long[]? seeds, long baseSeed)
    {
        _seeds = seeds;
        _base = baseSeed;
    }

    public static ExampleSeeds Of(long[] seeds) => new(seeds ?? throw new ArgumentNullException(nameof(seeds)), 0);

    public static implicit operator ExampleSeeds(long seed) => new(null, seed);

    public long this[long row] => _seeds is null ? Mix(_base, row) : _seeds[row];

    /// <summary>Generators for a batch of <paramref name="rows"/> examples (created when first used).</summary>
    internal ExampleRandom Open(long rows)
    {
        if (_seeds is not null && _seeds.Length != rows)
            throw new ArgumentException($"{_seeds.Length} seeds for a batch of {rows} examples");
        return new ExampleRandom(this, rows);
    }

    /// <summary>FNV-1a over a name, mixed with a seed and an index: stable across runs and processes (unlike string.GetHashCode).</summary>
    public static long Mix(long seed, long index, string name = "")
    {
        unchecked
        {
            var h = 14695981039346656037UL;
            foreach (var ch in name)
            {
                h ^= ch;
                h *= 1099511628211UL;
            }
            h ^= (ulong)seed * 0x9E3779B97F4A7C15UL;
            h ^= (ulong)index * 0xC2B2AE3D27D4EB4FUL;
            h *= 1099511628211UL;
            // Positive, so it reads naturally in logs; generators take any 64-bit value.
            return (long)(h & long.MaxValue);
        }
    }
}

/// <summary>Per-example generators of one batch; every draw is made on the CPU, then moved to the target device.</summary>
internal sealed class ExampleRandom(ExampleSeeds seeds, long rows) : IDisposable
{
    readonly Generator?[] _generators = new Generator?[rows];

    Generator For(long row) => _generators[row] ??= new Generator(unchecked((ulong)seeds[row]));

    /// <summary>Uniform in [-1, 1), shaped like <paramref name="like"/> [B, ...], one example's share from its own generator.</summary>
    public Tensor UniformSymmetric(Tensor like) => UniformSymmetric(AllRows, like);

    /// <summary>As above for the examples at <paramref name="rows"/> only, <paramref name="like"/> holding one entry per row.</summary>
    public Tensor UniformSymmetric(long[] rows, Tensor like) =>
        (Stack(rows, row => rand(like.shape[1..], dtype: like.dtype, device: CPU, generator: For(row))) * 2 - 1).to(like.device);

    public Tensor StandardNormal(Tensor like) =>
        Stack(AllRows, row => randn(like.shape[1..], dtype: like.dtype, device: CPU, generator: For(row))).to(like.device);

    /// <summary>Uniform +-1 of shape [rows.Length, ..<paramref name="shape"/>] in <paramref name="like"/>'s dtype and device.</summary>
    public Tensor Signs(long[] rows, long[] shape, Tensor like) =>
        (Stack(rows, row => randint(2, shape, device: CPU, generator: For(row))) * 2 - 1).to(like.dtype).to(like.device);

    /// <summary>Uniform in [0, 1) of shape [rows.Length, ..<paramref name="shape"/>], float64 on the CPU.</summary>
    public Tensor Uniform(long[] rows, long[] shape) =>
        Stack(rows, row => rand(shape, dtype: ScalarType.Float64, device: CPU, generator: For(row)));

    public long[] AllRows => [.. Enumerable.Range(0, _generators.Length).Select(i => (long)i)];

    static Tensor Stack(long[] rows, Func<long, Tensor> draw)
    {
        using var scope = NewDisposeScope();
        return stack(rows.Select(draw).ToArray()).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var g in _generators) g?.Dispose();
    }
}
