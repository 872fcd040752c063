using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;
using StableSnn.Silo.Storage;
using StableSnn.TestSupport;

namespace StableSnn.Grains.Tests.Engine;

public class RecoveryTests
{
    [Fact]
    public async Task KillingOneSiloOfTwoLosesNothing()
    {
        using var data = new TempDirectory();
        var trainer = new CountingTrainer(workTime: TimeSpan.FromMilliseconds(40));
        var database = $"Data Source={data.File("engine.db")}";
        await using var engine = await EngineCluster.Start(trainer, silos: 2, slotsPerSilo: 3,
            storage: silo => silo.AddStableSnnPersistence("sqlite", database));
        var sweep = engine.Grains.GetGrain<ISweepGrain>("two-silos");
        await sweep.Submit(EngineCluster.Grid("two-silos", alphas: 10)); // 80 experiments
        await engine.WaitUntil("two-silos", s => s.Count(ExperimentPhase.Completed) >= 15);

        await engine.Cluster.KillSiloAsync(engine.Cluster.Silos[1]);
        var done = await engine.WaitUntil("two-silos", s => s.IsFinished, TimeSpan.FromMinutes(2));

        Assert.Equal(80, done.Count(ExperimentPhase.Completed));
        var results = await sweep.GetResults();
        Assert.Equal(80, results.Select(r => r.Key).Distinct().Count());
        foreach (var key in results.Select(r => r.Key))
        {
            var history = await engine.Grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
            Assert.Single(history.Attempts, a => a.ExitReason == ExitReason.Success);
        }
    }

    [Fact]
    public async Task SweepSurvivesAFullSiloRestartOnPostgreSql()
    {
        var connection = Environment.GetEnvironmentVariable("STABLESNN_TEST_POSTGRES")
            ?? "Host=127.0.0.1;Port=5432;Username=stablesnn;Password=stablesnn;Database=stablesnn_test";
        var storage = new StorageOptions("postgresql", connection, ServiceId: $"restart-{Guid.NewGuid():N}", ClusterId: "test");
        var trainer = new CountingTrainer(workTime: TimeSpan.FromMilliseconds(30));
        var spec = EngineCluster.Grid("restart", alphas: 6); // 48 experiments

        using (var first = StartSilo(storage, trainer))
        {
            await first.StartAsync();
            var sweep = first.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("restart");
            await sweep.Submit(spec);
            await WaitUntil(sweep, s => s.Count(ExperimentPhase.Completed) >= 10);
            await first.StopAsync();
        }
        int startedBefore = trainer.Starts.Count;

        using var second = StartSilo(storage, trainer);
        await second.StartAsync();
        var again = second.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("restart");
        Assert.Equal(48, (await again.Submit(spec)).Total); // resubmitting the same spec is a no-op
        var done = await WaitUntil(again, s => s.IsFinished);
        var results = await again.GetResults();
        await second.StopAsync();

        Assert.Equal(48, done.Count(ExperimentPhase.Completed));
        Assert.Equal(48, results.Length);
        Assert.True(startedBefore >= 10 && startedBefore < 48, $"{startedBefore} started before the restart");
    }

    static IHost StartSilo(StorageOptions storage, ITrainerLauncher trainer)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:Name"] = "pg-node", ["Node:CpuSlots"] = "4", ["Node:ReportInterval"] = "00:00:00.100",
            ["Node:ArtifactRoot"] = Path.Combine(Path.GetTempPath(), "stablesnn-engine-tests"),
            ["Engine:LeaseDuration"] = "00:00:03", ["Engine:SweepFlushInterval"] = "00:00:00.200",
        });
        int port = Random.Shared.Next(20000, 29000);
        builder.UseOrleans(silo => silo.UseStableSnnStorage(storage).ConfigureEndpoints(port, port + 1000));
        builder.Services.AddSingleton(trainer);
        builder.Services.AddStableSnnNode(builder.Configuration);
        return builder.Build();
    }

    static async Task<SweepSnapshot> WaitUntil(ISweepGrain sweep, Func<SweepSnapshot, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var s = await sweep.GetSnapshot();
            if (condition(s)) return s;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(string.Join(",", s.Counts));
            await Task.Delay(50);
        }
    }
}
