using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Auto-PGD (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble
/// of diverse parameter-free attacks"), L-infinity. Per-example step size starting at 2*eps,
/// momentum <see cref="Alpha"/>, halved at checkpoints when progress stalls, restarting from the
/// best point found. Always starts uniformly at random in the ball (RandomStart in a config is ignored).
/// Returns, per example, a misclassified iterate if one was met, else the
/// highest-loss iterate; across restarts a fooling point is kept over a higher-loss one.
/// </summary>
public sealed class Apgd : IAttack
{
    public const float Alpha = 0.75f;

    public Apgd(float epsilon, int steps = 10, AttackLoss loss = AttackLoss.CE, float rho = 0.75f,
        int restarts = 1, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        Epsilon = epsilon;
        Steps = steps;
        Loss = loss;
        Rho = rho;
        Restarts = restarts;
        Name = name ?? $"APGD-{loss}";
    }

    public string Name { get; }
    public float Epsilon { get; }
    public int Steps { get; }
    public AttackLoss Loss { get; }
    public float Rho { get; }
    public int Restarts { get; }

    /// <summary>
    /// Iterations w_j = ceil(p_j * steps) at which the step size is reconsidered:
    /// p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06). Only w_j in (0, steps) matter.
    /// </summary>
    public static IReadOnlyList<int> Checkpoints(int steps)
    {
        var result = new List<int>();
        double previous = 0, current = 0.22;
        while (current < 1.0)
        {
            // The small slack stops 0.7 * 10 = 7.0000000001 from rounding up to 8.
            var w = (int)Math.Ceiling(current * steps - 1e-9);
            if (w > 0 && w < steps && (result.Count == 0 || result[^1] != w))
                result.Add(w);
            var next = current + Math.Max(current - previous - 0.03, 0.06);
            previous = current;
            current = next;
        }
        return result;
    }

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var mode = new EvalModeScope(model);
        using var outer = NewDisposeScope();
        var clean = images.detach();
        using var random = seeds.Open(clean.shape[0]);
        Tensor? bestAdv = null, bestLoss = null, bestFooled = null;
        for (var r = 0; r < Restarts; r++)
        {
            using var runScope = NewDisposeScope();
            var (adv, loss, fooled) = RunOnce(model, clean, labels, random);
            if (bestAdv is null)
            {
                (bestAdv, bestLoss, bestFooled) = (adv, loss, fooled);
            }
            else
            {
                // Prefer fooling points; among equals prefer higher loss.
                var take = (fooled & ~bestFooled!) | ((fooled == bestFooled!) & (loss > bestLoss!));
                bestAdv = where(AttackOps.PerExample(take, clean), adv, bestAdv);
                bestLoss = where(take, loss, bestLoss!);
                bestFooled = bestFooled! | fooled;
            }
            runScope.MoveToOuter(bestAdv, bestLoss!, bestFooled!);
        }
        return bestAdv!.MoveToOuterDisposeScope();
    }

    private (Tensor Adv, Tensor Loss, Tensor Fooled) RunOnce(
        nn.Module<Tensor, Tensor> model, Tensor clean, Tensor labels, ExampleRandom random)
    {
        var eps = (double)Epsilon;
        var checkpoints = Checkpoints(Steps);
        var batch = clean.shape[0];

        var current = AttackOps.Project(clean + eps * random.UniformSymmetric(clean), clean, eps);
        var (loss, grad, logits) = AttackOps.LossAndGrad(model, current, labels, Loss);
        var previous = current;
        var stepSize = full(batch, 2.0 * eps, dtype: clean.dtype, device: clean.device);

        var bestX = current; var bestLoss = loss; var bestGrad = grad;
        var fooled = logits.argmax(1) != labels;
        var foolX = current;

        // State of the last checkpoint (w_0 = 0 is the start point).
        var successes = zeros(batch, dtype: ScalarType.Int32, device: clean.device);
        var reducedAtLast = zeros(batch, dtype: ScalarType.Bool, device: clean.device);
        var bestLossAtLast = bestLoss;
        var lastCheckpoint = 0;

        for (var k = 0; k < Steps; k++)
        {
            using var stepScope = NewDisposeScope();
            var eta = AttackOps.PerExample(stepSize, clean);
            var z = AttackOps.Project(current + eta * grad.sign(), clean, eps);
            // The very first step has no previous direction, so it takes the plain gradient step.
            var a = k == 0 ? 1.0 : Alpha;
            var next = AttackOps.Project(current + a * (z - current) + (1 - a) * (current - previous), clean, eps);
            // Loss and gradient together: N + 1 evaluations per run in all, as in the original algorithm.
            var (nextLoss, nextGrad, nextLogits) = AttackOps.LossAndGrad(model, next, labels, Loss);

            successes = successes + (nextLoss > loss).to(ScalarType.Int32);
            var improved = nextLoss > bestLoss;
            var improvedX = AttackOps.PerExample(improved, clean);
            bestX = where(improvedX, next, bestX);
            bestGrad = where(improvedX, nextGrad, bestGrad);
            bestLoss = where(improved, nextLoss, bestLoss);
            var nowFooled = (nextLogits.argmax(1) != labels) & ~fooled;
            foolX = where(AttackOps.PerExample(nowFooled, clean), next, foolX);
            fooled = fooled | nowFooled;

            previous = current; current = next; loss = nextLoss; grad = nextGrad;

            var iteration = k + 1;
            if (checkpoints.Contains(iteration))
            {
                var window = iteration - lastCheckpoint;
                var fewSuccesses = successes.to(ScalarType.Float32) < Rho * window;
                var stalled = ~reducedAtLast & (bestLoss <= bestLossAtLast);
                var reduce = fewSuccesses | stalled;
                var reduceX = AttackOps.PerExample(reduce, clean);
                stepSize = where(reduce, stepSize / 2, stepSize);
                // Restart from the best point: its gradient is known, and momentum starts afresh.
                current = where(reduceX, bestX, current);
                previous = where(reduceX, bestX, previous);
                grad = where(reduceX, bestGrad, grad);
                loss = where(reduce, bestLoss, loss);
                reducedAtLast = reduce;
                bestLossAtLast = bestLoss;
                successes = zeros_like(successes);
                lastCheckpoint = iteration;
            }

            // Scope.MoveToOuter only moves what this step created; carried-over state stays put.
            stepScope.MoveToOuter(current, previous, grad, loss, bestX, bestGrad, bestLoss, fooled, foolX,
                stepSize, successes, reducedAtLast, bestLossAtLast);
        }
        var adv = where(AttackOps.PerExample(fooled, clean), foolX, bestX);
        return (adv, bestLoss, fooled);
    }
}
