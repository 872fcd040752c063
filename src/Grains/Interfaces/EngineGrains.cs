namespace StableSnn.Grains.Interfaces;

/// <summary>The cluster's single scheduler and single sweep registry, under the one key each has.</summary>
public static class EngineGrains
{
    /// <summary>Key of the single instances; stored registry state is filed under it, so it never changes.</summary>
    public const string SingletonKey = "default";

    public static ISchedulerGrain Scheduler(this IGrainFactory grains) => grains.GetGrain<ISchedulerGrain>(SingletonKey);

    public static ISweepRegistryGrain SweepRegistry(this IGrainFactory grains) => grains.GetGrain<ISweepRegistryGrain>(SingletonKey);
}
