using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// R-FGSM (Tramer et al. 2018): a random sign step of size alpha escapes the sharp curvature
/// around the data point, then a gradient sign step of size eps - alpha.
/// </summary>
public sealed class RFgsm : IAttack
{
    public RFgsm(float epsilon, float? alpha = null, string? name = null)
    {
        Epsilon = epsilon;
        Alpha = alpha ?? epsilon / 2f;
        if (Alpha < 0 || Alpha > epsilon)
            throw new ArgumentOutOfRangeException(nameof(alpha), Alpha, "alpha must lie in [0, eps].");
        Name = name ?? $"R-FGSM-{epsilon * 255f:0.##}";
    }

    public string Name { get; }
    public float Epsilon { get; }
    public float Alpha { get; }

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var mode = new EvalModeScope(model);
        using var scope = NewDisposeScope();
        var clean = images.detach();
        using var random = seeds.Open(clean.shape[0]);
        var start = torch.clamp(clean + Alpha * random.StandardNormal(clean).sign(), 0.0, 1.0);
        var (_, grad, _) = AttackOps.LossAndGrad(model, start, labels, AttackLoss.CE);
        var adv = AttackOps.Project(start + (Epsilon - Alpha) * grad.sign(), clean, Epsilon);
        return adv.MoveToOuterDisposeScope();
    }
}
