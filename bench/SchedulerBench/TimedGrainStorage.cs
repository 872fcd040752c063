using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace StableSnn.Bench;

/// <summary>
/// Benchmark-only decorator around the real grain storage provider: counts and times every read, write and clear,
/// so the report can say how many durable operations a lifecycle makes and how long each one waits.
/// With <paramref name="oneWriter"/> (a diagnostic, not how the silo runs) writes and clears wait for each other in
/// the process instead of colliding in the database.
/// </summary>
public sealed class TimedGrainStorage(IGrainStorage inner, StorageStats stats, SemaphoreSlim? oneWriter = null)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Time(StorageStats.Op.Read, () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Time(StorageStats.Op.Write, () => Serialised(() => inner.WriteStateAsync(stateName, grainId, grainState)));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Time(StorageStats.Op.Clear, () => Serialised(() => inner.ClearStateAsync(stateName, grainId, grainState)));

    async Task Serialised(Func<Task> call)
    {
        if (oneWriter is null) { await call(); return; }
        await oneWriter.WaitAsync();
        try { await call(); }
        finally { oneWriter.Release(); }
    }

    // Providers that initialise in the silo lifecycle (the ADO.NET one reads its queries there) must still do so:
    // Orleans registers the keyed storage itself as the participant, so the decorator has to pass it on.
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    async Task Time(StorageStats.Op op, Func<Task> call)
    {
        long start = Stopwatch.GetTimestamp();
        try { await call(); } // the call's synchronous part counts too
        finally { stats.Add(op, Stopwatch.GetTimestamp() - start); }
    }

    /// <summary>Replaces the keyed storage <paramref name="name"/> already registered in <paramref name="services"/> by a timed wrapper of itself.</summary>
    public static void Decorate(IServiceCollection services, string name, StorageStats stats, SemaphoreSlim? oneWriter = null)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"no grain storage '{name}' registered");
        var factory = original.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"grain storage '{name}' is not registered through a factory");
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new TimedGrainStorage((IGrainStorage)factory(sp, key), stats, oneWriter));
    }
}

/// <summary>Operation counts and latencies, shared by the silos of one cluster; reset before each measured run.</summary>
public sealed class StorageStats
{
    public enum Op { Read, Write, Clear }

    readonly List<long>[] _ticks = [[], [], []];

    public void Add(Op op, long ticks)
    {
        lock (_ticks) _ticks[(int)op].Add(ticks);
    }

    public void Reset()
    {
        lock (_ticks) foreach (var l in _ticks) l.Clear();
    }

    /// <summary>
    /// Count, mean, p50 and p99 (ms) of one operation since the last reset, and the share that took 150 ms or more:
    /// Microsoft.Data.Sqlite sleeps that long before retrying a statement that found the database locked.
    /// </summary>
    public (int Count, double MeanMs, double P50Ms, double P99Ms, double Over150MsShare) Summary(Op op)
    {
        double[] ms;
        lock (_ticks) ms = _ticks[(int)op].Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        double At(double p) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(p * ms.Length) - 1)];
        return ms.Length == 0 ? (0, 0, 0, 0, 0) : (ms.Length, ms.Average(), At(0.5), At(0.99), ms.Count(m => m >= 150) / (double)ms.Length);
    }
}
