namespace StableSnn.Grains.Policy;

/// <summary>A sweep's load during one <see cref="FairMatcher.Match"/> call: running counts this call's assignments.</summary>
internal sealed class MatcherSweep(string name, int running, int maxConcurrency)
{
    public string Name => name;

    public int Running { get; set; } = Math.Max(0, running);

    /// <summary>Unassigned gpu-only experiments of this sweep, at any priority.</summary>
    public int GpuOnlyWaiting { get; set; }

    // MaxConcurrency 0 means no limit; a negative one (rejected by SweepValidation) is read the same way.
    public bool HasCapacity => maxConcurrency <= 0 || Running < maxConcurrency;
}
