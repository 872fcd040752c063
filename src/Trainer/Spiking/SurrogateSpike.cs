using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// Heaviside spike H(v) with v = u - Vth (H(0) = 1) whose backward pass is the triangle surrogate
/// (1/g^2) max(0, g - |v|). The same function serves training and white-box attacks.
/// </summary>
public sealed class SurrogateSpike : autograd.SingleTensorFunction<SurrogateSpike>
{
    public override string Name => nameof(SurrogateSpike);

    /// <summary>Spikes for the membrane excess <paramref name="excess"/> = u - Vth.</summary>
    public static Tensor Fire(Tensor excess, double width) => apply(excess, width);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var excess = (Tensor)vars[0];
        ctx.save_for_backward([excess]);
        ctx.save_data("width", vars[1]);
        return excess.ge(0).to_type(excess.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var excess = ctx.get_saved_variables()[0];
        var g = (double)ctx.get_data("width");
        using var surrogate = (g - excess.abs()).clamp_min(0).div_(g * g);
        return [gradOutput * surrogate, null!];
    }
}
