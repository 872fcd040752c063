using StableSnn.Contracts;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// Per-thread ambient surrogate that <see cref="SpikingNeuron"/> reads in forward:
/// <c>using var _ = SurrogateOverride.Use(g);</c>. Thread-static like TorchSharp's grad mode and dispose scopes, so an
/// attack on one thread never changes training on another; nested uses restore the previous value on dispose. An
/// adaptive surrogate comes with a <see cref="SharpnessTracker"/> that lives as long as the use.
/// </summary>
public static class SurrogateOverride
{
    [ThreadStatic] static SurrogateGradient? current;
    [ThreadStatic] static SharpnessTracker? tracker;

    /// <summary>The override in force on this thread, or null (neurons use their training surrogate).</summary>
    public static SurrogateGradient? Current => current;

    /// <summary>The running statistics of the adaptive override in force on this thread, or null.</summary>
    public static SharpnessTracker? Tracker => tracker;

    public static IDisposable Use(SurrogateGradient? gradient)
    {
        var restore = new Restore(current, tracker);
        current = gradient;
        tracker = gradient is { Adaptive: true } ? new SharpnessTracker(gradient) : null;
        restore.Owned = tracker;
        return restore;
    }

    sealed class Restore(SurrogateGradient? previous, SharpnessTracker? previousTracker) : IDisposable
    {
        bool disposed;
        public SharpnessTracker? Owned { get; set; }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            Owned?.Dispose();
            current = previous;
            tracker = previousTracker;
        }
    }
}
