using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// Per-thread ambient surrogate that <see cref="SpikingNeuron"/> reads in forward:
/// <c>using var _ = SurrogateOverride.Use(g);</c>. Thread-static like TorchSharp's grad mode and dispose scopes, so an
/// attack on one thread never changes training on another; nested uses restore the previous value on dispose.
/// </summary>
public static class SurrogateOverride
{
    [ThreadStatic] static SurrogateGradient? current;

    /// <summary>The override in force on this thread, or null (neurons use their training surrogate).</summary>
    public static SurrogateGradient? Current => current;

    public static IDisposable Use(SurrogateGradient? gradient)
    {
        var previous = current;
        current = gradient;
        return new Restore(previous);
    }

    sealed class Restore(SurrogateGradient? previous) : IDisposable
    {
        bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            current = previous;
        }
    }
}

/// <summary>The adaptive width rule of <see cref="SurrogateGradient"/>, shared by the fused kernel and the stepwise graph.</summary>
internal static class AdaptiveWidth
{
    /// <summary>max(g, 2 Q), Q the ceil(q n)-th smallest of the n distances |u - Vth| (any shape; flattened here).</summary>
    public static double Fit(Tensor distances, double width, double quantile)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // kthvalue rather than torch.quantile, which refuses inputs beyond 2^24 elements (a VGG layer has more).
        var all = distances.flatten();
        long rank = Math.Clamp((long)Math.Ceiling(quantile * all.numel() - 1e-9), 1, all.numel());
        return Math.Max(width, 2 * all.kthvalue(rank, 0).values.ToDouble());
    }
}
