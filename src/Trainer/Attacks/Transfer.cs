using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Black-box transfer: the inner attack crafts on a source model; the target passed to
/// <see cref="Perturb"/> is only evaluated by the caller. The source must live on the images' device.
/// </summary>
public sealed class Transfer(IAttack inner, nn.Module<Tensor, Tensor> source, string? name = null) : IAttack
{
    public IAttack Inner { get; } = inner;
    public nn.Module<Tensor, Tensor> Source { get; } = source;
    public string Name { get; } = name ?? $"Transfer({inner.Name})";
    public float Epsilon => Inner.Epsilon;

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds) =>
        Inner.Perturb(Source, images, labels, seeds);
}
