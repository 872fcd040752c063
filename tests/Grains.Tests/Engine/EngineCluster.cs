using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

namespace StableSnn.Grains.Tests.Engine;

/// <summary>An in-process cluster whose silos each run a node agent with CPU slots and the given trainer.</summary>
public sealed class EngineCluster : IAsyncDisposable
{
    public required InProcessTestCluster Cluster { get; init; }
    public IGrainFactory Grains => Cluster.Client;

    public static async Task<EngineCluster> Start(ITrainerLauncher trainer, int silos = 1, int slotsPerSilo = 8,
        IDictionary<string, string?>? settings = null, Action<ISiloBuilder>? storage = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            if (storage is null) silo.AddMemoryGrainStorage(GrainStorage.Name);
            else storage(silo);
            silo.UseInMemoryReminderService();
        });
        builder.ConfigureSiloHost((options, host) =>
        {
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Node:Name"] = options.SiloName.ToLowerInvariant(),
                ["Node:CpuSlots"] = slotsPerSilo.ToString(),
                ["Node:ThreadsPerCpuSlot"] = "1",
                ["Node:ReportInterval"] = "00:00:00.100",
                ["Node:ArtifactRoot"] = Path.Combine(Path.GetTempPath(), "stablesnn-engine-tests"),
                ["Engine:LeaseDuration"] = "00:00:03",
                ["Engine:LeaseCheckInterval"] = "00:00:00.200",
                ["Engine:RetryBaseDelay"] = "00:00:00.050",
                ["Engine:RetryMaxDelay"] = "00:00:00.200",
                ["Engine:SweepFlushInterval"] = "00:00:00.200",
            });
            if (settings is not null) host.Configuration.AddInMemoryCollection(settings);
            host.Services.AddSingleton(trainer);
            host.Services.AddStableSnnNode(host.Configuration);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new EngineCluster { Cluster = cluster };
    }

    public static SweepSpec Grid(string name, int alphas, int seeds = 1, int maxConcurrency = 0, int priority = 0, int maxAttempts = 3) => new()
    {
        Name = name, Datasets = ["fashion-mnist"], Architectures = ["small-cnn", "vgg5"], Neurons = ["lif", "dlif"],
        Modes = ["raw", "at"], Alphas = Enumerable.Range(0, alphas).Select(a => a / 10.0).ToArray(),
        Seeds = Enumerable.Range(0, seeds).ToArray(), Epochs = 1, AttackSuite = "none",
        MaxConcurrency = maxConcurrency, Priority = priority, MaxAttempts = maxAttempts,
    };

    public async Task<SweepSnapshot> WaitUntil(string sweep, Func<SweepSnapshot, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var grain = Grains.GetGrain<ISweepGrain>(sweep);
        while (true)
        {
            var snapshot = await grain.GetSnapshot();
            if (condition(snapshot)) return snapshot;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"sweep {sweep} did not reach the condition: {string.Join(",", snapshot.Counts)} {snapshot.Status}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
