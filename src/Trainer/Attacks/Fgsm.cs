using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Fast gradient sign method: one step of size eps along sign(grad CE).</summary>
public sealed class Fgsm(float epsilon, string? name = null) : IAttack
{
    public string Name { get; } = name ?? $"FGSM-{epsilon * 255f:0.##}";
    public float Epsilon { get; } = epsilon;

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var mode = new EvalModeScope(model);
        using var scope = NewDisposeScope();
        var clean = images.detach();
        var (_, grad, _) = AttackOps.LossAndGrad(model, clean, labels, AttackLoss.CE);
        // Project although the step already lies on the ball: keeps bit-equality with PGD-1.
        var adv = AttackOps.Project(clean + Epsilon * grad.sign(), clean, Epsilon);
        return adv.MoveToOuterDisposeScope();
    }
}
