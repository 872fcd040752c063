using System.Diagnostics;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Models;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Experiment;

/// <summary>
/// The short attack a search rung ranks trials by (<see cref="RungProbe"/>): the objective's cascade at a small budget
/// (adaptive APGD-CE, then Square on its survivors) on a fixed subset of the selection set, on the weights of the epoch
/// just trained. Cheap by design (a few hundred images, ten steps, at most a share of the epoch's seconds): it only
/// has to order trials, the full suite still scores the survivors.
/// </summary>
public static class RobustnessProbe
{
    // Small batches so a time-capped probe stops close to its budget; each image's result does not depend on its batch.
    const int Batch = RungProbe.MinExamples;

    /// <param name="epochSeconds">Seconds of the epoch just trained: with <see cref="RungProbe.EpochFraction"/>, the probe's budget.</param>
    public static RungResult Run(SpikingNetwork model, RungProbe probe, ImageDataset selection, int evaluationSeed, int epoch,
        double validationAccuracy, Device device, double? epochSeconds = null)
    {
        var clock = Stopwatch.StartNew();
        double? budget = probe.EpochFraction is { } f && epochSeconds is > 0 and var s ? f * s : null;
        // Seeded by the evaluation seed alone: every trial and every rung is probed on the same images, in the same order.
        using var subset = DataSplit.Subset(selection, Math.Min(probe.Examples, selection.Count), evaluationSeed + 3);
        var attack = AttackFactory.Create(AttackSuites.ApgdCeAdaptive(probe.Steps) with
        {
            Epsilon = (float)probe.Epsilon, Name = $"APGD-CE-adaptive-{probe.Steps}", Cascade = false,
        });
        var square = probe.SquareQueries > 0 ? new SquareAttack((float)probe.Epsilon, probe.SquareQueries, name: $"Square-{probe.SquareQueries}") : null;
        string name = square is null ? attack.Name : $"{attack.Name}+{square.Name}";
        long clean = 0, robust = 0;
        var robustMask = new bool[subset.Count]; // per image, so a search can test two trials on the same images
        int scored = 0;
        model.eval();
        for (int start = 0; start < subset.Count; start += Batch)
        {
            // Over budget at this pace with the next batch: stop, keeping at least one batch.
            if (budget is { } b && start >= RungProbe.MinExamples && clock.Elapsed.TotalSeconds / start * (start + Batch) > b) break;
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
            scored = start + n;
        }
        return new RungResult
        {
            Epoch = epoch, ValidationAccuracy = validationAccuracy, ProbeExamples = scored, ProbeAttack = name,
            ProbeCleanAccuracy = scored == 0 ? 0 : (double)clean / scored,
            ProbeRobustAccuracy = scored == 0 ? 0 : (double)robust / scored,
            Epsilon = probe.Epsilon, ProbeSeconds = clock.Elapsed.TotalSeconds, Mask = ExampleMask.Pack(robustMask[..scored]),
            BudgetSeconds = budget,
        };
    }
}
