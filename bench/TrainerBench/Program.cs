using System.Diagnostics;
using System.Text.Json;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Native;
using StableSnn.Trainer.Spiking;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

// TorchSharp side of the trainer benchmark (bench/pytorch/spiking_reference.py is the PyTorch side, same options):
// T = 8, batch 64, small-cnn on 1x28x28 or the paper's VGG-11 on 3x32x32. Prints one JSON object: median ms per Raw
// step, AT (+ regulariser, alpha 1) step and PGD-7 batch, and peak RSS; or, with --memory-steps N, the resident
// memory over N raw training steps.
// Usage: TrainerBench [--arch small-cnn|vgg11] [--steps 10] [--warmup 2] [--threads 2] [--memory-steps 0] [--measure raw,at,pgd7]
if (AllocatorGuard.EnsureTcmalloc(args) is int code) return code;
var options = Options.Parse(args);
TorchRuntime.SetThreads(options.Threads);
manual_seed(1);
var (shape, mean, std) = options.Arch switch
{
    "small-cnn" => (new InputShape(1, 28, 28), new[] { 0.2860f }, new[] { 0.3530f }),
    "vgg11" => (new InputShape(3, 32, 32), new[] { 0.4914f, 0.4822f, 0.4465f }, new[] { 0.2470f, 0.2435f, 0.2616f }),
    _ => throw new ArgumentException($"--arch: '{options.Arch}' is not benchmarked; use small-cnn or vgg11"),
};
var model = Architectures.Build(options.Arch, shape, 10, new NeuronOptions(NeuronKind.Lif), mean, std);
var optimizer = optim.SGD(model.parameters(), 0.1, 0.9, weight_decay: 5e-4);
var x = rand(64, shape.Channels, shape.Height, shape.Width);
var y = randint(0, 10, [64]);
var rng = new Random(1);
var raw = new TrainingStep(model, optimizer, new TrainingOptions { Mode = TrainingMode.Raw }, 0.001);
var at = new TrainingStep(model, optimizer, new TrainingOptions { Mode = TrainingMode.At, Alpha = 1.0 }, 0.001);
var pgd = Pgd.Pgd7();

var result = new Dictionary<string, object> { ["arch"] = options.Arch, ["parameters"] = model.parameters().Sum(p => p.numel()) };
if (options.MemorySteps > 0)
{
    var samples = new SortedDictionary<int, double>();
    var managed = new SortedDictionary<int, double>();
    for (int step = 1; step <= options.MemorySteps; step++)
    {
        raw.Run(x, y, rng);
        if (step is 1 or 10 || step % 50 == 0)
        {
            samples[step] = RssMb("VmRSS:");
            managed[step] = GC.GetTotalMemory(false) / 1048576.0;
        }
    }
    result["memory_steps"] = options.MemorySteps;
    result["rss_mb"] = samples;
    result["managed_heap_mb"] = managed; // the .NET side of RSS: garbage waits for a collection
    result["gc_collections"] = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
}
else
{
    if (options.Measures("raw")) result["raw_step_ms"] = MedianMs(() => raw.Run(x, y, rng));
    if (options.Measures("at")) result["at_step_ms"] = MedianMs(() => at.Run(x, y, rng));
    if (options.Measures("pgd7")) result["pgd7_batch_ms"] = MedianMs(() => { using var s = NewDisposeScope(); pgd.Perturb(model, x, y, 7); });
}
result["peak_rss_mb"] = RssMb("VmHWM:");
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

double MedianMs(Action step)
{
    for (int i = 0; i < options.Warmup; i++) step();
    var times = new List<double>();
    for (int i = 0; i < options.Steps; i++)
    {
        var clock = Stopwatch.StartNew();
        step();
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
}

static double RssMb(string field) =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith(field)).Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).First();

sealed record Options(string Arch, int Steps, int Warmup, int Threads, int MemorySteps, string[] Measure)
{
    public bool Measures(string what) => Measure.Contains(what);

    public static Options Parse(string[] args)
    {
        var o = new Options("small-cnn", 10, 2, 2, 0, ["raw", "at", "pgd7"]);
        for (int i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]}: needs a value");
            string value = args[i + 1];
            int Number() => int.TryParse(value, out var n) && n >= 0 ? n : throw new ArgumentException($"{args[i]}: '{value}' is not a non-negative integer");
            o = args[i] switch
            {
                "--arch" => o with { Arch = value },
                "--steps" => o with { Steps = Math.Max(1, Number()) },
                "--warmup" => o with { Warmup = Number() },
                "--threads" => o with { Threads = Math.Max(1, Number()) },
                "--memory-steps" => o with { MemorySteps = Number() },
                "--measure" => o with { Measure = value.Split(',') },
                _ => throw new ArgumentException($"unknown option {args[i]}; known: --arch --steps --warmup --threads --memory-steps --measure"),
            };
        }
        return o;
    }
}
