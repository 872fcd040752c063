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
        IDictionary<string, string?>? settings = null, Action<ISiloBuilder>? storage = null, bool useProcessTrainer = false)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            if (storage is null)
            {
                silo.AddMemoryGrainStorage(GrainStorage.Name);
                silo.UseInMemoryReminderService();
            }
            else
            {
                storage(silo);
            }
        });
        builder.ConfigureSiloHost((options, host) =>
        {
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Node:Name"] = options.SiloName.ToLowerInvariant(),
                ["Node:CpuSlots"] = slotsPerSilo.ToString(),
                ["Node:ThreadsPerCpuSlot"] = "1",
                ["Node:ReportInterval"] = "00:00:00.100",
                ["Node:ProgressInterval"] = "00:00:00.500",
                ["Node:ArtifactRoot"] = Path.Combine(Path.GetTempPath(), "stablesnn-engine-tests"),
                ["Engine:LeaseDuration"] = "00:00:03",
                ["Engine:LeaseCheckInterval"] = "00:00:00.200",
                ["Engine:RetryBaseDelay"] = "00:00:00.050",
                ["Engine:RetryMaxDelay"] = "00:00:00.200",
                ["Engine:SweepFlushInterval"] = "00:00:00.200",
            });
            if (settings is not null) host.Configuration.AddInMemoryCollection(settings);
            if (!useProcessTrainer) host.Services.AddSingleton(trainer);
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
                throw new TimeoutException($"sweep {sweep} did not reach the condition: {string.Join(",", snapshot.Counts)} {snapshot.Status}\n" +
                    await Describe(grain));
            await Task.Delay(50);
        }
    }

    /// <summary>Why a sweep is stuck: every experiment the sweep thinks is running, with its own view.</summary>
    async Task<string> Describe(ISweepGrain sweep)
    {
        var lines = new List<string>();
        foreach (var phase in new[] { ExperimentPhase.Queued, ExperimentPhase.Training, ExperimentPhase.Attacking })
            foreach (var key in await sweep.ListExperiments(phase, 5))
            {
                var e = await Grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
                lines.Add($"{phase} in sweep; grain: {e.Phase} ({e.Why}); attempts: " +
                    string.Join(" | ", e.Attempts.Select(a => $"{a.Slot} {a.ExitReason} hb={a.LastHeartbeat:HH:mm:ss.fff}")));
            }
        var scheduler = await Grains.Scheduler().GetSnapshot();
        lines.Add($"scheduler: {scheduler.Leases} leases, waiting {string.Join(",", scheduler.Waiting)}; now {DateTimeOffset.UtcNow:HH:mm:ss.fff}");
        return string.Join("\n", lines);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
