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
        long clean = 0, robust = 0;
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
            using (no_grad()) robust += model.forward(adversarial).argmax(1).eq(y).sum().item<long>();
        }
        return new RungResult
        {
            Epoch = epoch, ValidationAccuracy = validationAccuracy, ProbeExamples = subset.Count, ProbeAttack = attack.Name,
            ProbeCleanAccuracy = subset.Count == 0 ? 0 : (double)clean / subset.Count,
            ProbeRobustAccuracy = subset.Count == 0 ? 0 : (double)robust / subset.Count,
            Epsilon = probe.Epsilon, ProbeSeconds = clock.Elapsed.TotalSeconds,
        };
    }
}
