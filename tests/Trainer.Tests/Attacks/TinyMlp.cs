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
