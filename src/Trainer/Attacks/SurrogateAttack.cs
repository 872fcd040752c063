using StableSnn.Contracts;
using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Runs a gradient attack with its spiking layers differentiating through <see cref="Gradient"/> instead of the
/// training surrogate (forward spikes unchanged). A decorator, so the attacks themselves need not know about it.
/// The override is thread-static: it covers all of <see cref="IAttack.Perturb"/> as long as the inner attack
/// does its tensor work on the calling thread (all of ours do; none awaits).
/// </summary>
public sealed class SurrogateAttack(IAttack inner, SurrogateGradient gradient, string? name = null) : IAttack
{
    public IAttack Inner { get; } = inner;
    public SurrogateGradient Gradient { get; } = gradient;
    public string Name { get; } = name ?? inner.Name;
    public float Epsilon => Inner.Epsilon;

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var surrogate = SurrogateOverride.Use(Gradient);
        return Inner.Perturb(model, images, labels, seeds);
    }
}
