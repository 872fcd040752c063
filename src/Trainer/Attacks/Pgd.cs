using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Projected gradient descent (Madry et al.): optional uniform start in the eps ball, then
/// sign-gradient ascent on the loss, projected to the ball and [0,1] after every step.
/// </summary>
public sealed class Pgd : IAttack
{
    public Pgd(float epsilon, int steps, float stepSize, bool randomStart = true,
        AttackLoss loss = AttackLoss.CE, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Epsilon = epsilon;
        Steps = steps;
        StepSize = stepSize;
        RandomStart = randomStart;
        Loss = loss;
        Name = name ?? $"PGD-{steps}";
    }

    public string Name { get; }
    public float Epsilon { get; }
    public int Steps { get; }
    public float StepSize { get; }
    public bool RandomStart { get; }
    public AttackLoss Loss { get; }

    public static Pgd Pgd7(float epsilon = 8f / 255f) => new(epsilon, 7, 2.55f / 255f, true, name: "PGD-7");
    public static Pgd Pgd10(float epsilon = 8f / 255f) => new(epsilon, 10, 2f / 255f, true, name: "PGD-10");
    public static Pgd Pgd20(float epsilon = 8f / 255f) => new(epsilon, 20, 1f / 255f, true, name: "PGD-20");
    public static Pgd Pgd40(float epsilon = 8f / 255f) => new(epsilon, 40, 0.5f / 255f, true, name: "PGD-40");

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var mode = new EvalModeScope(model);
        using var outer = NewDisposeScope();
        var clean = images.detach();
        var adv = clean.clone();
        if (RandomStart)
        {
            using var random = seeds.Open(clean.shape[0]);
            adv = AttackOps.Project(clean + Epsilon * random.UniformSymmetric(clean), clean, Epsilon);
        }
        for (var step = 0; step < Steps; step++)
        {
            AttackLoop.Step(step, Steps);
            // One scope per step keeps only the current iterate alive (the graph is freed each step).
            using var inner = NewDisposeScope();
            var (_, grad, _) = AttackOps.LossAndGrad(model, adv, labels, Loss);
            adv = AttackOps.Project(adv + StepSize * grad.sign(), clean, Epsilon).MoveToOuterDisposeScope();
        }
        return adv.MoveToOuterDisposeScope();
    }
}
