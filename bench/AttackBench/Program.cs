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
// norm folded (BatchNormFolding), image-steps per second of a PGD step (forward + input gradient) and of a Square
// query (forward only). Each cell alternates unfolded / folded and keeps the median of --reps.
// Usage: AttackBench SPEC CHECKPOINT [--sizes 32,64,128,256,0] [--reps 5] [--threads 2]   (0 = the whole subset)
if (AllocatorGuard.EnsureTcmalloc(args) is int code) return code;
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
var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
train.Dispose();
var subset = AttackPhase.EvaluationSubset(test, spec);
var images = subset.Images.to_type(ScalarType.Float32).div_(255);
var labels = subset.Labels;
var n = images.shape[0];
var pgdStep = new Pgd(8f / 255f, 1, 2f / 255f, randomStart: false);
Console.WriteLine($"# {spec.Architecture}, T = {spec.TimeSteps}, {n} images, {threads} threads, median of {reps}");
Console.WriteLine("| batch | PGD step img/s unfolded | folded | Square query img/s unfolded | folded |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var requested in sizes)
{
    var size = requested == 0 ? (int)n : Math.Min(requested, (int)n);
    var x = images.narrow(0, 0, size);
    var y = labels.narrow(0, 0, size);
    // Unfolded and folded alternate rep by rep, so both see the same load from the machine's other users.
    (double Unfolded, double Folded) Rates(bool gradient)
    {
        var times = (Unfolded: new List<double>(), Folded: new List<double>());
        for (var r = 0; r < reps + 1; r++)
        {
            foreach (var isFolded in new[] { false, true })
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                nn.Module<Tensor, Tensor> m = isFolded ? folded : model;
                if (gradient) pgdStep.Perturb(m, x, y, 0L);
                else using (no_grad()) m.call(x);
                if (r > 0) (isFolded ? times.Folded : times.Unfolded).Add(clock.Elapsed.TotalSeconds); // the first is warm-up
            }
        }
        return (size / Median(times.Unfolded), size / Median(times.Folded));
    }
    var pgd = Rates(gradient: true);
    var square = Rates(gradient: false);
    Console.WriteLine($"| {(requested == 0 ? $"all ({n})" : size)} | {pgd.Item1:F0} | {pgd.Item2:F0} | {square.Item1:F0} | {square.Item2:F0} |");
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
