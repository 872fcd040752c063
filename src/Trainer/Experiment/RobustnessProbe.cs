using System.Diagnostics;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Models;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Experiment;

/// <summary>
/// The short attack a search rung ranks trials by (<see cref="RungProbe"/>): PGD on a fixed subset of the selection
/// set, on the weights of the epoch just trained. Cheap by design (a few hundred images, ten steps): it only has to
/// order trials, the full suite still scores the survivors.
/// </summary>
public static class RobustnessProbe
{
    const int Batch = 256;

    public static RungResult Run(SpikingNetwork model, RungProbe probe, ImageDataset selection, int evaluationSeed, int epoch,
        double validationAccuracy, Device device)
    {
        var clock = Stopwatch.StartNew();
        // Seeded by the evaluation seed alone: every trial and every rung is probed on the same images.
        using var subset = DataSplit.Subset(selection, Math.Min(probe.Examples, selection.Count), evaluationSeed + 3);
        var attack = new Pgd((float)probe.Epsilon, probe.Steps, (float)(2.5 * probe.Epsilon / probe.Steps), randomStart: true,
            name: $"PGD-{probe.Steps}");
        var square = probe.SquareQueries > 0 ? new SquareAttack((float)probe.Epsilon, probe.SquareQueries, name: $"Square-{probe.SquareQueries}") : null;
        string name = square is null ? attack.Name : $"{attack.Name}+{square.Name}";
        long clean = 0, robust = 0;
        var robustMask = new bool[subset.Count]; // per image, so a search can test two trials on the same images
        model.eval();
        for (int start = 0; start < subset.Count; start += Batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(Batch, subset.Count - start);
            var x = subset.Images.narrow(0, start, n).to(device).to_type(ScalarType.Float32).div_(255);
            var y = subset.Labels.narrow(0, start, n).to(device);
            using (no_grad()) clean += model.forward(x).argmax(1).eq(y).sum().item<long>();
            var seeds = ExampleSeeds.Of([.. Enumerable.Range(start, n).Select(i => ExampleSeeds.Mix(evaluationSeed, i, attack.Name))]);
            var adversarial = attack.Perturb(model, x, y, seeds);
            Tensor survived;
            using (no_grad()) survived = model.forward(adversarial).argmax(1).eq(y);
            if (square is not null && survived.any().item<bool>())
            {
                // Square runs only where PGD failed, as in the suite's cascade: an image counts if it survives both.
                var rows = survived.nonzero().squeeze(1);
                var left = rows.data<long>().ToArray();
                var squareSeeds = ExampleSeeds.Of([.. left.Select(r => ExampleSeeds.Mix(evaluationSeed, start + r, square.Name))]);
                var xs = x.index_select(0, rows);
                var ys = y.index_select(0, rows);
                var broken = square.Perturb(model, xs, ys, squareSeeds);
                bool[] squareSurvived;
                using (no_grad()) squareSurvived = model.forward(broken).argmax(1).eq(ys).cpu().data<bool>().ToArray();
                for (int j = 0; j < left.Length; j++) robustMask[start + left[j]] = squareSurvived[j];
                robust += squareSurvived.Count(c => c);
            }
            else
            {
                var kept = survived.cpu().data<bool>().ToArray();
                kept.CopyTo(robustMask, start);
                robust += kept.Count(c => c);
            }
        }
        return new RungResult
        {
            Epoch = epoch, ValidationAccuracy = validationAccuracy, ProbeExamples = subset.Count, ProbeAttack = name,
            ProbeCleanAccuracy = subset.Count == 0 ? 0 : (double)clean / subset.Count,
            ProbeRobustAccuracy = subset.Count == 0 ? 0 : (double)robust / subset.Count,
            Epsilon = probe.Epsilon, ProbeSeconds = clock.Elapsed.TotalSeconds, Mask = ExampleMask.Pack(robustMask),
        };
    }
}
