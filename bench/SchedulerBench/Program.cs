using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using StableSnn.Grains;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

// Scheduler throughput with the instant fake trainer: one in-process silo, SLOTS CPU slots, a grid of N experiments.
// Usage: SchedulerBench [experiments=5000] [slots=8]
int experiments = args.Length > 0 ? int.Parse(args[0]) : 5000;
int slots = args.Length > 1 ? int.Parse(args[1]) : 8;
var builder = new InProcessTestClusterBuilder(1);
builder.ConfigureSilo((_, silo) => { silo.AddMemoryGrainStorage(GrainStorage.Name); silo.UseInMemoryReminderService(); });
builder.ConfigureSiloHost((o, host) =>
{
    host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Node:Name"] = "bench", ["Node:CpuSlots"] = slots.ToString(), ["Node:Trainer"] = "fake",
        ["Node:ArtifactRoot"] = Path.Combine(Path.GetTempPath(), "stablesnn-bench"),
    });
    host.Services.AddStableSnnNode(host.Configuration);
});
await using var cluster = builder.Build();
await cluster.DeployAsync();

int alphas = (int)Math.Ceiling(experiments / 8.0);
var spec = new SweepSpec
{
    Name = "bench", Datasets = ["fashion-mnist"], Architectures = ["small-cnn", "vgg5"], Neurons = ["lif", "dlif"],
    Modes = ["raw", "at"], Alphas = Enumerable.Range(0, alphas).Select(a => a / 100.0).ToArray(), Seeds = [1],
    Epochs = 1, AttackSuite = "none",
};
var sweep = cluster.Client.GetGrain<ISweepGrain>("bench");
var clock = Stopwatch.StartNew();
var submitted = await sweep.Submit(spec);
var accepted = clock.Elapsed;
SweepSnapshot s;
do { await Task.Delay(50); s = await sweep.GetSnapshot(); } while (!s.IsFinished);
var total = clock.Elapsed;
Console.WriteLine($"experiments {submitted.Total}, slots {slots}: accepted in {accepted.TotalMilliseconds:F0} ms; " +
    $"all completed in {total.TotalSeconds:F2} s = {submitted.Total / (total - accepted).TotalSeconds:F0} lifecycles/s " +
    $"({s.Count(ExperimentPhase.Completed)} completed)");
await cluster.StopAllSilosAsync();
