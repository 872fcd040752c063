using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>
/// Quantises its input before the MLP: round() has zero gradient everywhere, the textbook case of
/// masked (shattered) gradients. Input-gradient attacks cannot move it at all.
/// </summary>
internal sealed class RoundingModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;

    public RoundingModel(nn.Module<Tensor, Tensor> inner) : base(nameof(RoundingModel))
    {
        this.inner = inner;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => inner.call((x * 4).round() / 4);
}
