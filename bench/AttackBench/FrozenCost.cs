using System.Diagnostics;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Bench;

/// <summary>
/// `AttackBench frozen SPEC CHECKPOINT [--batch 256] [--reps 9] [--threads 1]`: what the attack copy's parameters
/// requiring gradients cost. The trainer attacks a folded copy whose parameters still require grad; with DLIF gains that
/// makes the fused neuron keep the membrane (and its input) even in a no_grad query, and compute the gains' gradient in
/// every backward. Times, round by round on the same images, a no_grad forward (a Square query) and an adaptive-backward
/// input gradient (an APGD step) with the parameters as the trainer leaves them and with requires_grad off.
/// </summary>
public static class FrozenCost
{
    public static int Run(string[] args)
    {
        var spec = ExperimentSpec.Load(args[0]);
        var checkpoint = args[1];
        int batch = 256, reps = 9, threads = 1;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--batch": batch = int.Parse(args[i + 1]); break;
                case "--reps": reps = int.Parse(args[i + 1]); break;
                case "--threads": threads = int.Parse(args[i + 1]); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        using var model = AttackPhase.LoadModel(spec, checkpoint, CPU);
        using var asTrainer = BatchNormFolding.AttackCopy(model, () => AttackPhase.Build(spec));
        using var frozen = BatchNormFolding.AttackCopy(model, () => AttackPhase.Build(spec));
        foreach (var p in asTrainer.parameters()) p.requires_grad_(true); // as the trainer's copy was before the freeze
        var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
        train.Dispose();
        using var _test = test;
        using var subset = AttackPhase.EvaluationSubset(test, spec with { AttackSubset = batch });
        using var scope = NewDisposeScope();
        var x = subset.Images.to_type(ScalarType.Float32).div_(255);
        var y = subset.Labels;
        nn.Module<Tensor, Tensor>[] models = [asTrainer, frozen];
        var times = new List<double>[2, 2];
        for (var g = 0; g < 2; g++) for (var k = 0; k < 2; k++) times[g, k] = [];
        for (var r = 0; r <= reps; r++)
        {
            for (var k = 0; k < 2; k++)
            {
                using (var s = NewDisposeScope())
                {
                    var clock = Stopwatch.StartNew();
                    using (no_grad()) models[k].call(x);
                    if (r > 0) times[0, k].Add(clock.Elapsed.TotalMilliseconds);
                }
                using (var s = NewDisposeScope())
                using (SurrogateOverride.Use(AttackSuites.Adaptive))
                {
                    var clock = Stopwatch.StartNew();
                    using var grad = enable_grad();
                    var xg = x.detach().requires_grad_(true);
                    var loss = nn.functional.cross_entropy(models[k].call(xg), y);
                    autograd.grad([loss], [xg]);
                    if (r > 0) times[1, k].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        Console.WriteLine($"# {spec.Architecture} {spec.Neuron}, T = {spec.TimeSteps}, batch {batch}, {threads} threads, median of {reps} rounds");
        Console.WriteLine("| pass | parameters require grad (the trainer before) | frozen | frozen / as trainer |");
        Console.WriteLine("|---|---|---|---|");
        string[] names = ["no_grad forward (Square query)", "forward + input gradient, adaptive backward (APGD step)"];
        for (var g = 0; g < 2; g++)
        {
            double a = Median(times[g, 0]), f = Median(times[g, 1]);
            Console.WriteLine($"| {names[g]} | {a:F1} ms | {f:F1} ms | {f / a:F2} |");
        }
        return 0;
    }
}
