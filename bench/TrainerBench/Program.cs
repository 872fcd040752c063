using System.Diagnostics;
using System.Text.Json;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Native;
using StableSnn.Trainer.Spiking;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

// TorchSharp side of the trainer benchmark (bench/pytorch/spiking_reference.py is the PyTorch side): the small
// spiking CNN, T = 8, batch 64, 1x28x28. Prints median ms per Raw step, AT (+ regulariser, alpha 1) step and
// PGD-7 batch, and peak RSS, as one JSON object. Usage: TrainerBench [runs=10] [threads=2]
if (AllocatorGuard.EnsureTcmalloc(args) is int code) return code;
int runs = args.Length > 0 ? int.Parse(args[0]) : 10;
TorchRuntime.SetThreads(args.Length > 1 ? int.Parse(args[1]) : 2);
manual_seed(1);
var model = Architectures.Build("small-cnn", new InputShape(1, 28, 28), 10, new NeuronOptions(NeuronKind.Lif), [0.2860f], [0.3530f]);
var optimizer = optim.SGD(model.parameters(), 0.1, 0.9, weight_decay: 5e-4);
var x = rand(64, 1, 28, 28);
var y = randint(0, 10, [64]);
var rng = new Random(1);
var raw = new TrainingStep(model, optimizer, new TrainingOptions { Mode = TrainingMode.Raw }, 0.001);
var at = new TrainingStep(model, optimizer, new TrainingOptions { Mode = TrainingMode.At, Alpha = 1.0 }, 0.001);
var pgd = Pgd.Pgd7();

var result = new Dictionary<string, double>
{
    ["raw_step_ms"] = MedianMs(() => raw.Run(x, y, rng)),
    ["at_step_ms"] = MedianMs(() => at.Run(x, y, rng)),
    ["pgd7_batch_ms"] = MedianMs(() => { using var s = NewDisposeScope(); pgd.Perturb(model, x, y, 7); }),
    ["peak_rss_mb"] = PeakRssMb(),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

double MedianMs(Action step, int warmup = 2)
{
    for (int i = 0; i < warmup; i++) step();
    var times = new List<double>();
    for (int i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        step();
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
}

static double PeakRssMb() =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:")).Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).First();
