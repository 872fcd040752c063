using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Additive Gaussian noise, clamped to [0,1]. Not an eps-ball attack: <see cref="Epsilon"/>
/// reports sigma so results can be tabulated beside the others.
/// </summary>
public sealed class GaussianNoise(float sigma, string? name = null) : IAttack
{
    public string Name { get; } = name ?? $"Gaussian-{sigma * 255f:0.##}";
    public float Epsilon => Sigma;
    public float Sigma { get; } = sigma;

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long seed)
    {
        using var scope = NewDisposeScope();
        using var gen = AttackOps.NewGenerator(seed);
        var clean = images.detach();
        return torch.clamp(clean + Sigma * AttackOps.StandardNormal(clean, gen), 0.0, 1.0).MoveToOuterDisposeScope();
    }
}
