using StableSnn.Contracts;

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
