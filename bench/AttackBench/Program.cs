using System.Diagnostics;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Native;
using TorchSharp;
using static TorchSharp.torch;

// Attack throughput on a trained experiment's evaluation subset: per batch size, the model unfolded and with batch
// norm folded without and with the first layer run once over T (BatchNormFolding), image-steps per second of a PGD step (forward + input gradient) and of a Square
// query (forward only). Each cell alternates the three models rep by rep and keeps the median of --reps.
// Usage: AttackBench SPEC CHECKPOINT [--sizes 32,64,128,256,0] [--reps 5] [--threads 2]   (0 = the whole subset)
//        AttackBench export SPEC CHECKPOINT OUTDIR [--subset N]   |   AttackBench profile SPEC CHECKPOINT [--subset N] [--out FILE]
//        AttackBench frozen SPEC CHECKPOINT [--batch 256] [--reps 9] [--threads 1]
if (AllocatorGuard.EnsureTcmalloc(args) is int code) return code;
// Modes added for bench/attack-autoattack.sh: export the attack copy and images for the PyTorch reference, and the
// reliable suite in-process with the model's forward and backward timed per attack (see Export.cs, Profile.cs).
if (args.Length > 0 && args[0] == "export") return StableSnn.Bench.AttackExport.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile") return StableSnn.Bench.AttackProfile.Run(args[1..]);
if (args.Length > 0 && args[0] == "frozen") return StableSnn.Bench.FrozenCost.Run(args[1..]);
var spec = ExperimentSpec.Load(args[0]);
var checkpoint = args[1];
int[] sizes = [32, 64, 128, 256, 0];
int reps = 5, threads = 2;
for (var i = 2; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--sizes": sizes = args[i + 1].Split(',').Select(int.Parse).ToArray(); break;
        case "--reps": reps = int.Parse(args[i + 1]); break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}
TorchRuntime.SetThreads(threads);
var model = AttackPhase.LoadModel(spec, checkpoint, CPU);
var folded = BatchNormFolding.AttackCopy(model, () => AttackPhase.Build(spec));
var foldedOnly = BatchNormFolding.AttackCopy(model, () => AttackPhase.Build(spec), onceOverTime: false);
var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
train.Dispose();
var subset = AttackPhase.EvaluationSubset(test, spec);
var images = subset.Images.to_type(ScalarType.Float32).div_(255);
var labels = subset.Labels;
var n = images.shape[0];
var pgdStep = new Pgd(8f / 255f, 1, 2f / 255f, randomStart: false);
Console.WriteLine($"# {spec.Architecture}, T = {spec.TimeSteps}, {n} images, {threads} threads, median of {reps}");
Console.WriteLine("| batch | PGD step img/s: unfolded | BN folded | + first layer once | Square query img/s: unfolded | BN folded | + first layer once |");
Console.WriteLine("|---|---|---|---|---|---|---|");
// Every (batch size, pass, model) cell is measured once per round, round after round, so that all of them see the
// same changing load from the machine's other users; each cell reports the median over the rounds after a warm-up.
nn.Module<Tensor, Tensor>[] models = [model, foldedOnly, folded];
var counts = sizes.Select(r => r == 0 ? (int)n : Math.Min(r, (int)n)).ToArray();
var times = new List<double>[counts.Length, 2, models.Length];
foreach (var i in Enumerable.Range(0, counts.Length))
    for (var g = 0; g < 2; g++)
        for (var k = 0; k < models.Length; k++) times[i, g, k] = [];
for (var r = 0; r < reps + 1; r++)
{
    for (var i = 0; i < counts.Length; i++)
    {
        var x = images.narrow(0, 0, counts[i]);
        var y = labels.narrow(0, 0, counts[i]);
        for (var g = 0; g < 2; g++)
        {
            for (var k = 0; k < models.Length; k++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                if (g == 0) pgdStep.Perturb(models[k], x, y, 0L);
                else using (no_grad()) models[k].call(x);
                if (r > 0) times[i, g, k].Add(clock.Elapsed.TotalSeconds); // round 0 is warm-up
            }
        }
    }
}
for (var i = 0; i < counts.Length; i++)
{
    string Rates(int g) => string.Join(" | ", Enumerable.Range(0, models.Length).Select(k => $"{counts[i] / Median(times[i, g, k]):F0}"));
    Console.WriteLine($"| {(sizes[i] == 0 ? $"all ({n})" : counts[i])} | {Rates(0)} | {Rates(1)} |");
}
// The price of per-example randomness in Square: its draws for 1000 iterations on 64 examples, without the model.
var draws = Stopwatch.StartNew();
var seeds = ExampleSeeds.Of([.. Enumerable.Range(0, 64).Select(i => (long)i)]);
var probe = new SquareAttack(8f / 255f, 1000);
using (var noModel = NewDisposeScope())
    _ = probe.Perturb(new ConstantLogits(), images.narrow(0, 0, 64), zeros(64, ScalarType.Int64), seeds);
Console.WriteLine($"# Square, 1000 iterations on 64 examples against a constant model (draws and bookkeeping only): {draws.Elapsed.TotalSeconds:F2} s");
return 0;

static double Median(List<double> v)
{
    v.Sort();
    return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
}

/// <summary>Scores every image the same: Square never succeeds, so it runs all its iterations on all examples.</summary>
sealed class ConstantLogits() : nn.Module<Tensor, Tensor>(nameof(ConstantLogits))
{
    public override Tensor forward(Tensor x) => zeros(x.shape[0], 10).index_fill_(1, tensor(new long[] { 0 }), 1f);
}
