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

// The sweep engine with the instant fake trainer, on each grain storage an operator can run (BenchStorage):
//  - lifecycles per second, slot idle gap and storage operations per lifecycle, for each storage and silo count
//    (every silo runs a node agent with SLOTS CPU slots; SQLite, the embedded mode, only with one silo);
//  - time and memory to accept a GRID-experiment sweep (memory storage, on a silo with no slots, so nothing starts meanwhile).
// Usage: SchedulerBench [experiments] [slots] [--experiments N=5000 | --experiments memory=N,sqlite=M,postgres=K]
//                       [--slots S=8] [--silos 1,2] [--runs R=3] [--grid G=100000] [--json FILE]
//                       [--storage memory,sqlite,postgres] [--postgres CONNECTION] [--postgres-pid POSTMASTER_PID]
// --storage defaults to memory and sqlite, plus postgres when a connection string is given (--postgres or
// STABLESNN_BENCH_POSTGRES; its user must be allowed to CREATE DATABASE: each cluster gets a new one, dropped after).
// --postgres-pid: the server's postmaster, whose CPU time (with its backends') is then reported per lifecycle.
// --one-writer: diagnostic, not the silo's configuration: grain-state writes wait for each other in the bench process.
var o = Options.Parse(args);
o = o with { Postgres = o.Postgres ?? Environment.GetEnvironmentVariable("STABLESNN_BENCH_POSTGRES") };
o = o with { Storage = o.Storage ?? [BenchStorage.Memory, BenchStorage.Sqlite, .. o.Postgres is null ? [] : new[] { BenchStorage.Postgres }] };
Console.WriteLine($"SchedulerBench: storage {string.Join(",", o.Storage)}, {string.Join(",", o.Storage.Select(k => $"{k} {o.ExperimentsFor(k)}"))} experiments, " +
    $"{o.Slots} slots per silo, silos {string.Join(",", o.Silos)}, {o.Runs} runs each; grid of {o.Grid} to accept; " +
    $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");

var throughput = new List<ThroughputResult>();
foreach (string storage in o.Storage)
    foreach (int silos in o.Silos)
    {
        if (storage == BenchStorage.Sqlite && silos > 1) { Console.WriteLine($"  sqlite: skipping {silos} silos (the embedded mode is one silo)"); continue; }
        throughput.Add(await MeasureThroughput(storage, silos, o));
    }
var acceptance = o.Grid > 0 ? await MeasureAcceptance(o) : null;

var report = new BenchReport(DateTimeOffset.UtcNow, Environment.ProcessorCount, Environment.Version.ToString(),
    o.Experiments, o.Slots, o.Runs, throughput, acceptance, LoadAverage());
PrintTable(report);
if (o.Json is { } path)
{
    File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {path}");
}
return 0;

static async Task<ThroughputResult> MeasureThroughput(string kind, int silos, Options o)
{
    int experiments = o.ExperimentsFor(kind);
    var launcher = new TimedLauncher(new InstantFakeTrainer());
    await using var storage = await BenchStorage.CreateAsync(kind, o.Postgres, o.OneWriter);
    var database = kind == BenchStorage.Postgres && o.PostgresPid is { } pid ? new ProcessTreeCpu(pid) : null;
    var clock = Stopwatch.StartNew();
    // Declared after the storage, so disposed before it: the silos let go of the database before it is dropped.
    await using var cluster = await StartCluster(silos, o.Slots, launcher, storage.Configure);
    var client = cluster.Client;
    string settings = await storage.SettingsAsync();
    Console.WriteLine($"  {kind}, {silos} silo(s): {storage.Where}{(settings == "" ? "" : $" ({settings})")}; " +
        $"cluster up in {clock.Elapsed.TotalSeconds:F1} s");
    // Warm-up sweep: JIT, first activations, connections; not measured.
    await RunSweep(client, "warmup", Math.Max(16 * o.Slots * silos, experiments / 2));
    var runs = new List<RunResult>();
    for (int r = 1; r <= o.Runs; r++)
    {
        string name = $"run{r}";
        var gc = (G0: GC.CollectionCount(0), G1: GC.CollectionCount(1), G2: GC.CollectionCount(2));
        storage.Stats.Reset();
        var dbCpu = database?.Total();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sys = Process.GetCurrentProcess().PrivilegedProcessorTime;
        var (total, elapsed) = await RunSweep(client, name, experiments);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        sys = Process.GetCurrentProcess().PrivilegedProcessorTime - sys;
        dbCpu = database?.Total() - dbCpu;
        var run = Analyse(launcher.Attempts(name), total, elapsed, cpu,
            [GC.CollectionCount(0) - gc.G0, GC.CollectionCount(1) - gc.G1, GC.CollectionCount(2) - gc.G2]);
        run = WithStorage(run, storage.Stats, total, dbCpu) with { KernelCpuMsPerLifecycle = sys.TotalMilliseconds / total };
        Console.WriteLine($"  {kind}, {silos} silo(s) run {r}: {run.Completed} completed in {run.EndToEndSeconds:F2} s; " +
            $"sustained {run.SustainedPerSecond:F0}/s; idle gap p50 {run.IdleGapP50Ms:F2} ms, p99 {run.IdleGapP99Ms:F2} ms; " +
            $"{run.CpuMsPerLifecycle:F2} ms CPU per lifecycle ({run.KernelCpuMsPerLifecycle:F2} kernel; " +
            $"+{run.DatabaseCpuMsPerLifecycle:F2} database); {run.WritesPerLifecycle:F2} writes and {run.ReadsPerLifecycle:F2} reads " +
            $"per lifecycle, write {run.WriteMeanMs:F2} ms mean {run.WriteP50Ms:F2} ms p50 {run.WriteP99Ms:F2} ms p99 " +
            $"({run.WritesOver150MsShare:P1} >= 150 ms), read {run.ReadMeanMs:F2} ms mean; GCs {string.Join("/", run.Collections)}; " +
            $"load {run.LoadAverage}");
        runs.Add(run);
    }
    long bytes = await storage.SizeBytesAsync();
    await cluster.StopAllSilosAsync();
    return new ThroughputResult(kind, silos, storage.Where, settings, o.Slots * silos, experiments, runs,
        Median(runs, r => r.SustainedPerSecond), Median(runs, r => r.EndToEndPerSecond),
        Median(runs, r => r.IdleGapP50Ms), Median(runs, r => r.IdleGapP99Ms), Median(runs, r => r.CpuMsPerLifecycle),
        Median(runs, r => r.KernelCpuMsPerLifecycle), Median(runs, r => r.DatabaseCpuMsPerLifecycle),
        Median(runs, r => r.WritesPerLifecycle), Median(runs, r => r.ReadsPerLifecycle),
        Median(runs, r => r.WriteMeanMs), Median(runs, r => r.WriteP50Ms), Median(runs, r => r.WriteP99Ms),
        Median(runs, r => r.WritesOver150MsShare), Median(runs, r => r.ReadMeanMs), bytes);
}

// Storage operations of the run (every silo's), per completed lifecycle; the database's CPU when it was observed.
static RunResult WithStorage(RunResult run, StorageStats stats, int total, TimeSpan? dbCpu)
{
    var read = stats.Summary(StorageStats.Op.Read);
    var write = stats.Summary(StorageStats.Op.Write);
    return run with
    {
        ReadsPerLifecycle = read.Count / (double)total, WritesPerLifecycle = write.Count / (double)total,
        ReadMeanMs = read.MeanMs, WriteMeanMs = write.MeanMs, WriteP50Ms = write.P50Ms, WriteP99Ms = write.P99Ms,
        WritesOver150MsShare = write.Over150MsShare,
        DatabaseCpuMsPerLifecycle = dbCpu is { } c ? c.TotalMilliseconds / total : 0,
    };
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

static async Task<AcceptanceResult> MeasureAcceptance(Options o)
{
    // No slots: the grid stays queued, so the memory delta is what queued experiments cost.
    await using var cluster = await StartCluster(1, 0, new InstantFakeTrainer(),
        silo => { silo.AddMemoryGrainStorage(GrainStorage.Name); silo.UseInMemoryReminderService(); });
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

static async Task<InProcessTestCluster> StartCluster(int silos, int slots, ITrainerLauncher launcher, Action<ISiloBuilder> storage)
{
    // Clustering is the test cluster's in-process membership for every storage: lifecycles never touch membership.
    var builder = new InProcessTestClusterBuilder((short)silos);
    builder.ConfigureSilo((_, silo) => storage(silo));
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
        cpu.TotalMilliseconds / total, collections) { LoadAverage = LoadAverage() };
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
    Console.WriteLine("| storage | silos | slots | experiments | lifecycles/s sustained (target >= 1000) | end to end /s | idle gap p50 (target < 20 ms) | " +
        "idle gap p99 | CPU per lifecycle (silo + database) | writes / reads per lifecycle | write mean / p99 | read mean |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var t in r.Throughput)
        Console.WriteLine($"| {t.Storage} | {t.Silos} | {t.Slots} | {t.Experiments} | {t.SustainedPerSecond:F0} | {t.EndToEndPerSecond:F0} | " +
            $"{t.IdleGapP50Ms:F2} ms | {t.IdleGapP99Ms:F2} ms | {t.CpuMsPerLifecycle:F2} + {t.DatabaseCpuMsPerLifecycle:F2} ms | " +
            $"{t.WritesPerLifecycle:F2} / {t.ReadsPerLifecycle:F2} | {t.WriteMeanMs:F2} / {t.WriteP99Ms:F2} ms | {t.ReadMeanMs:F2} ms |");
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
    public string[]? Storage { get; init; }
    public string? Postgres { get; init; }
    public int? PostgresPid { get; init; }
    public bool OneWriter { get; init; }
    /// <summary>Experiments per storage where given (SQLite runs far fewer lifecycles per second than memory).</summary>
    public Dictionary<string, int> PerStorage { get; init; } = [];

    public int ExperimentsFor(string storage) => PerStorage.GetValueOrDefault(storage, Experiments);

    public static Options Parse(string[] args)
    {
        var o = new Options(5000, 8, [1, 2], 3, 100_000, null);
        int positional = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--experiments" => WithExperiments(o, Next()),
                "--slots" => o with { Slots = Int(Next()) },
                "--silos" => o with { Silos = Next().Split(',').Select(Int).ToArray() },
                "--runs" => o with { Runs = Int(Next()) },
                "--grid" => o with { Grid = Int(Next()) },
                "--json" => o with { Json = Next() },
                "--storage" => o with { Storage = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Kind).ToArray() },
                "--postgres" => o with { Postgres = Next() },
                "--postgres-pid" => o with { PostgresPid = Int(Next()) },
                "--one-writer" => o with { OneWriter = true },
                var a when !a.StartsWith("--", StringComparison.Ordinal) && positional == 0 && ++positional > 0 => o with { Experiments = Int(a) },
                var a when !a.StartsWith("--", StringComparison.Ordinal) && positional == 1 && ++positional > 0 => o with { Slots = Int(a) },
                var a => throw new ArgumentException($"unknown argument {a}"),
            };
        }
        return o;
    }

    static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    static string Kind(string s) => s.ToLowerInvariant() switch
    {
        "postgresql" => BenchStorage.Postgres,
        BenchStorage.Memory or BenchStorage.Sqlite or BenchStorage.Postgres => s.ToLowerInvariant(),
        _ => throw new ArgumentException($"unknown storage '{s}': use {BenchStorage.Memory}, {BenchStorage.Sqlite} or {BenchStorage.Postgres}"),
    };

    // "N" for every storage, or "memory=N,sqlite=M": the first given count is also the default for the others.
    static Options WithExperiments(Options o, string value)
    {
        if (!value.Contains('=')) return o with { Experiments = Int(value) };
        var pairs = value.Split(',').Select(p => p.Split('=')).ToDictionary(p => Kind(p[0]), p => Int(p[1]));
        return o with { PerStorage = pairs, Experiments = pairs.Values.First() };
    }
}

sealed record RunResult(int Completed, double EndToEndSeconds, double EndToEndPerSecond, double SustainedPerSecond,
    double IdleGapP50Ms, double IdleGapP99Ms, double IdleGapMaxMs, double CpuMsPerLifecycle, int[] Collections)
{
    /// <summary>The kernel's share of <see cref="CpuMsPerLifecycle"/> (file I/O, fsync, sockets, futexes).</summary>
    public double KernelCpuMsPerLifecycle { get; init; }
    public double DatabaseCpuMsPerLifecycle { get; init; }
    public double WritesPerLifecycle { get; init; }
    public double ReadsPerLifecycle { get; init; }
    public double WriteMeanMs { get; init; }
    public double WriteP50Ms { get; init; }
    public double WriteP99Ms { get; init; }
    public double WritesOver150MsShare { get; init; }
    public double ReadMeanMs { get; init; }
    /// <summary>/proc/loadavg (1, 5, 15 min) at the end of the run: the machine is shared.</summary>
    public string LoadAverage { get; init; } = "";
}

// Medians over the runs; Database/Settings say where the rows went and what durability a write waited for.
sealed record ThroughputResult(string Storage, int Silos, string Database, string Settings, int Slots, int Experiments,
    List<RunResult> Runs, double SustainedPerSecond, double EndToEndPerSecond, double IdleGapP50Ms, double IdleGapP99Ms,
    double CpuMsPerLifecycle, double KernelCpuMsPerLifecycle, double DatabaseCpuMsPerLifecycle,
    double WritesPerLifecycle, double ReadsPerLifecycle, double WriteMeanMs, double WriteP50Ms, double WriteP99Ms,
    double WritesOver150MsShare, double ReadMeanMs,
    long DatabaseBytesAtEnd);

sealed record AcceptanceRun(int Experiments, double Milliseconds, double HeapBytesPerExperiment, double WorkingSetBytesPerExperiment);

sealed record AcceptanceResult(int Experiments, List<AcceptanceRun> Runs, double Milliseconds, double HeapBytesPerExperiment,
    double WorkingSetBytesPerExperiment);

sealed record BenchReport(DateTimeOffset Date, int Cores, string Runtime, int Experiments, int SlotsPerSilo, int Runs,
    List<ThroughputResult> Throughput, AcceptanceResult? Acceptance, string LoadAverageAtEnd);
