using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>Ignores its input entirely: the input gradient does not exist (autograd reports it unused).</summary>
internal sealed class ConstantModel : nn.Module<Tensor, Tensor>
{
    private readonly Parameter bias;

    public ConstantModel(int classes) : base(nameof(ConstantModel))
    {
        bias = nn.Parameter(arange(classes, dtype: ScalarType.Float32));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => bias.unsqueeze(0).expand(x.shape[0], -1) * 1f;
}
