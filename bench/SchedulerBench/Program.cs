using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using StableSnn.Bench;
using StableSnn.Grains;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

// The sweep engine with the instant fake trainer, memory grain storage (shared by the silos of the cluster):
//  - lifecycles per second and slot idle gap, for each silo count (every silo runs a node agent with SLOTS CPU slots);
//  - time and memory to accept a GRID-experiment sweep (on a silo with no slots, so nothing starts meanwhile).
// Usage: SchedulerBench [experiments] [slots] [--experiments N=5000] [--slots S=8] [--silos 1,2] [--runs R=3]
//                       [--grid G=100000] [--json FILE]
var o = Options.Parse(args);
Console.WriteLine($"SchedulerBench: {o.Experiments} experiments, {o.Slots} slots per silo, silos {string.Join(",", o.Silos)}, " +
    $"{o.Runs} runs each; grid of {o.Grid} to accept; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

var throughput = new List<ThroughputResult>();
foreach (int silos in o.Silos) throughput.Add(await MeasureThroughput(silos, o));
var acceptance = o.Grid > 0 ? await MeasureAcceptance(o) : null;

var report = new BenchReport(DateTimeOffset.UtcNow, Environment.ProcessorCount, Environment.Version.ToString(),
    o.Experiments, o.Slots, o.Runs, throughput, acceptance);
PrintTable(report);
if (o.Json is { } path)
{
    File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {path}");
}
return 0;

static async Task<ThroughputResult> MeasureThroughput(int silos, Options o)
{
    var launcher = new TimedLauncher(new InstantFakeTrainer());
    await using var cluster = await StartCluster(silos, o.Slots, launcher);
    var client = cluster.Client;
    // Warm-up sweep: JIT, first activations, connections; not measured.
    await RunSweep(client, "warmup", Math.Max(16 * o.Slots * silos, o.Experiments / 2));
    var runs = new List<RunResult>();
    for (int r = 1; r <= o.Runs; r++)
    {
        string name = $"run{r}";
        var gc = (G0: GC.CollectionCount(0), G1: GC.CollectionCount(1), G2: GC.CollectionCount(2));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (total, elapsed) = await RunSweep(client, name, o.Experiments);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var run = Analyse(launcher.Attempts(name), total, elapsed, cpu,
            [GC.CollectionCount(0) - gc.G0, GC.CollectionCount(1) - gc.G1, GC.CollectionCount(2) - gc.G2]);
        Console.WriteLine($"  {silos} silo(s) run {r}: {run.Completed} completed in {run.EndToEndSeconds:F2} s; " +
            $"sustained {run.SustainedPerSecond:F0}/s; idle gap p50 {run.IdleGapP50Ms:F2} ms, p99 {run.IdleGapP99Ms:F2} ms; " +
            $"{run.CpuMsPerLifecycle:F2} ms CPU per lifecycle; GCs {string.Join("/", run.Collections)}");
        runs.Add(run);
    }
    await cluster.StopAllSilosAsync();
    return new ThroughputResult(silos, o.Slots * silos, o.Experiments, runs,
        Median(runs, r => r.SustainedPerSecond), Median(runs, r => r.EndToEndPerSecond),
        Median(runs, r => r.IdleGapP50Ms), Median(runs, r => r.IdleGapP99Ms), Median(runs, r => r.CpuMsPerLifecycle));
}

static async Task<AcceptanceResult> MeasureAcceptance(Options o)
{
    // No slots: the grid stays queued, so the memory delta is what queued experiments cost.
    await using var cluster = await StartCluster(1, 0, new InstantFakeTrainer());
    var client = cluster.Client;
    await client.GetGrain<ISweepGrain>("accept-warmup").Submit(Spec("accept-warmup", 1000));
    var runs = new List<AcceptanceRun>();
    for (int r = 1; r <= o.Runs; r++)
    {
        var spec = Spec($"accept{r}", o.Grid);
        long heap = Heap();
        long ws = WorkingSet();
        var clock = Stopwatch.StartNew();
        var snapshot = await client.GetGrain<ISweepGrain>(spec.Name).Submit(spec);
        double ms = clock.Elapsed.TotalMilliseconds;
        long heapDelta = Heap() - heap, wsDelta = WorkingSet() - ws;
        var run = new AcceptanceRun(snapshot.Total, ms, heapDelta / (double)snapshot.Total, wsDelta / (double)snapshot.Total);
        Console.WriteLine($"  accept run {r}: {run.Experiments} experiments in {run.Milliseconds:F0} ms; " +
            $"{run.HeapBytesPerExperiment:F1} B heap, {run.WorkingSetBytesPerExperiment:F1} B working set per experiment");
        runs.Add(run);
    }
    await cluster.StopAllSilosAsync();
    return new AcceptanceResult(o.Grid, runs, Median(runs, r => r.Milliseconds), Median(runs, r => r.HeapBytesPerExperiment),
        Median(runs, r => r.WorkingSetBytesPerExperiment));

    static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}

static async Task<InProcessTestCluster> StartCluster(int silos, int slots, ITrainerLauncher launcher)
{
    var builder = new InProcessTestClusterBuilder((short)silos);
    builder.ConfigureSilo((_, silo) => { silo.AddMemoryGrainStorage(GrainStorage.Name); silo.UseInMemoryReminderService(); });
    builder.ConfigureSiloHost((options, host) =>
    {
        host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:Name"] = options.SiloName.ToLowerInvariant(), ["Node:CpuSlots"] = slots.ToString(CultureInfo.InvariantCulture),
            ["Node:ArtifactRoot"] = Path.Combine(Path.GetTempPath(), "stablesnn-bench"),
        });
        // Registered before AddStableSnnNode, which only adds a launcher when none is present.
        host.Services.AddSingleton(launcher);
        host.Services.AddStableSnnNode(host.Configuration);
    });
    var cluster = builder.Build();
    await cluster.DeployAsync();
    return cluster;
}

static async Task<(int Total, TimeSpan Elapsed)> RunSweep(IClusterClient client, string name, int experiments)
{
    var sweep = client.GetGrain<ISweepGrain>(name);
    var clock = Stopwatch.StartNew();
    var submitted = await sweep.Submit(Spec(name, experiments));
    SweepSnapshot s;
    do { await Task.Delay(10); s = await sweep.GetSnapshot(); } while (!s.IsFinished);
    if (s.Count(ExperimentPhase.Completed) != submitted.Total)
        throw new InvalidOperationException($"{name}: {s.Count(ExperimentPhase.Completed)} of {submitted.Total} completed");
    return (submitted.Total, clock.Elapsed);
}

static SweepSpec Spec(string name, int experiments) => new()
{
    // 8 combinations per alpha, one seed: ceil(experiments / 8) alphas.
    Name = name, Datasets = ["fashion-mnist"], Architectures = ["small-cnn", "vgg5"], Neurons = ["lif", "dlif"],
    Modes = ["raw", "at"], Alphas = Enumerable.Range(0, (experiments + 7) / 8).Select(a => a / 100.0).ToArray(),
    Seeds = [1], Epochs = 1, AttackSuite = "none",
};

static RunResult Analyse(Dictionary<string, List<TimedLauncher.Span>> bySlot, int total, TimeSpan elapsed, TimeSpan cpu, int[] collections)
{
    double toMs = 1000.0 / Stopwatch.Frequency;
    var gaps = new List<double>();
    var ends = new List<long>();
    foreach (var spans in bySlot.Values)
    {
        for (int i = 0; i < spans.Count; i++)
        {
            ends.Add(spans[i].End);
            if (i > 0) gaps.Add((spans[i].Start - spans[i - 1].End) * toMs);
        }
    }
    ends.Sort();
    gaps.Sort();
    // Sustained: the middle 80% of completions, so start-up and the tail do not count.
    int lo = ends.Count / 10, hi = ends.Count * 9 / 10;
    double sustained = hi > lo ? (hi - lo) / ((ends[hi - 1] - ends[lo]) * toMs / 1000) : 0;
    return new RunResult(ends.Count, elapsed.TotalSeconds, total / elapsed.TotalSeconds, sustained,
        Percentile(gaps, 0.5), Percentile(gaps, 0.99), gaps.Count == 0 ? 0 : gaps[^1],
        cpu.TotalMilliseconds / total, collections);
}

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static double Median<T>(List<T> items, Func<T, double> value)
{
    var v = items.Select(value).Order().ToList();
    return v.Count == 0 ? 0 : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
}

static void PrintTable(BenchReport r)
{
    Console.WriteLine();
    Console.WriteLine($"| silos | slots | experiments | lifecycles/s sustained (target >= 1000) | end to end /s | idle gap p50 (target < 20 ms) | idle gap p99 | CPU per lifecycle |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    foreach (var t in r.Throughput)
        Console.WriteLine($"| {t.Silos} | {t.Slots} | {t.Experiments} | {t.SustainedPerSecond:F0} | {t.EndToEndPerSecond:F0} | " +
            $"{t.IdleGapP50Ms:F2} ms | {t.IdleGapP99Ms:F2} ms | {t.CpuMsPerLifecycle:F2} ms |");
    if (r.Acceptance is { } a)
    {
        Console.WriteLine();
        Console.WriteLine("| grid accepted | time (target < 5 s) | managed heap per experiment (target < 5 KB) | working set per experiment |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| {a.Experiments} | {a.Milliseconds:F0} ms | {a.HeapBytesPerExperiment:F1} B | {a.WorkingSetBytesPerExperiment:F1} B |");
    }
    Console.WriteLine($"(medians of {r.Runs} runs)");
}

sealed record Options(int Experiments, int Slots, int[] Silos, int Runs, int Grid, string? Json)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(5000, 8, [1, 2], 3, 100_000, null);
        int positional = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--experiments" => o with { Experiments = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--slots" => o with { Slots = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--silos" => o with { Silos = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--runs" => o with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--grid" => o with { Grid = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--json" => o with { Json = Next() },
                var a when !a.StartsWith("--", StringComparison.Ordinal) && positional == 0 && ++positional > 0 =>
                    o with { Experiments = int.Parse(a, CultureInfo.InvariantCulture) },
                var a when !a.StartsWith("--", StringComparison.Ordinal) && positional == 1 && ++positional > 0 =>
                    o with { Slots = int.Parse(a, CultureInfo.InvariantCulture) },
                var a => throw new ArgumentException($"unknown argument {a}"),
            };
        }
        return o;
    }
}

sealed record RunResult(int Completed, double EndToEndSeconds, double EndToEndPerSecond, double SustainedPerSecond,
    double IdleGapP50Ms, double IdleGapP99Ms, double IdleGapMaxMs, double CpuMsPerLifecycle, int[] Collections);

sealed record ThroughputResult(int Silos, int Slots, int Experiments, List<RunResult> Runs, double SustainedPerSecond,
    double EndToEndPerSecond, double IdleGapP50Ms, double IdleGapP99Ms, double CpuMsPerLifecycle);

sealed record AcceptanceRun(int Experiments, double Milliseconds, double HeapBytesPerExperiment, double WorkingSetBytesPerExperiment);

sealed record AcceptanceResult(int Experiments, List<AcceptanceRun> Runs, double Milliseconds, double HeapBytesPerExperiment,
    double WorkingSetBytesPerExperiment);

sealed record BenchReport(DateTimeOffset Date, int Cores, string Runtime, int Experiments, int SlotsPerSilo, int Runs,
    List<ThroughputResult> Throughput, AcceptanceResult? Acceptance);
