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

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var scope = NewDisposeScope();
        var clean = images.detach();
        using var random = seeds.Open(clean.shape[0]);
        return torch.clamp(clean + Sigma * random.StandardNormal(clean), 0.0, 1.0).MoveToOuterDisposeScope();
    }
}
