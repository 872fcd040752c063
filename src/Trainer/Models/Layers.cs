using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>Building blocks shared by the architectures; all operate on time-folded tensors [T*B, ...].</summary>
internal static class Layers
{
    public static nn.Module<Tensor, Tensor> ConvBnSpike(long inChannels, long outChannels, NeuronOptions neuron) =>
        nn.Sequential(
            ("conv", nn.Conv2d(inChannels, outChannels, 3, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(outChannels)),
            ("spike", new SpikingNeuron(neuron)));

    /// <summary>PAPER.md: Kaiming normal (fan_out) for convolutions, BN weight 1 / bias 0, linear bias 0.</summary>
    public static void Initialise(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case TorchSharp.Modules.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case TorchSharp.Modules.BatchNorm2d bn:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias);
                    break;
                case TorchSharp.Modules.Linear linear when linear.bias is not null:
                    nn.init.zeros_(linear.bias);
                    break;
            }
        }
    }
}
