using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Attacks;

/// <summary>Two-layer MLP over 1x8x8 images; weights drawn from its own generator so tests never depend on the global RNG.</summary>
internal sealed class TinyMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public TinyMlp(int classes, long seed) : base(nameof(TinyMlp))
    {
        fc1 = nn.Linear(64, 32);
        fc2 = nn.Linear(32, classes);
        RegisterComponents();
        using var gen = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var p in parameters())
            p.copy_(randn(p.shape, generator: gen) * 0.1);
    }

    // Normalisation lives inside the model, as in the real networks, so attacks work in [0,1] pixels.
    public override Tensor forward(Tensor x) => fc2.call(nn.functional.relu(fc1.call(((x - 0.35) * 8).flatten(1))));
}

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
