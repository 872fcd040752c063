using StableSnn.Contracts;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// Heaviside spike H(v) with v = u - Vth (H(0) = 1) whose backward pass is a surrogate of width g: the triangle
/// (1/g^2) max(0, g - |v|) for training, or any <see cref="SurrogateShape"/> for attacks. The forward never depends
/// on the surrogate, so spikes are the same whatever backward is chosen.
/// </summary>
public sealed class SurrogateSpike : autograd.SingleTensorFunction<SurrogateSpike>
{
    public override string Name => nameof(SurrogateSpike);

    /// <summary>Spikes for the membrane excess <paramref name="excess"/> = u - Vth, triangle backward.</summary>
    public static Tensor Fire(Tensor excess, double width) => apply(excess, new StrongBox<double>(width), SurrogateShape.Triangle);

    /// <summary>
    /// As above with any shape. The width is read at backward time, so a caller may still set it after the forward
    /// (the adaptive width depends on every time step's membrane).
    /// </summary>
    public static Tensor Fire(Tensor excess, StrongBox<double> width, SurrogateShape shape) => apply(excess, width, shape);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var excess = (Tensor)vars[0];
        ctx.save_for_backward([excess]);
        ctx.save_data("width", vars[1]);
        ctx.save_data("shape", vars[2]);
        return excess.ge(0).to_type(excess.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var excess = ctx.get_saved_variables()[0];
        var g = ((StrongBox<double>)ctx.get_data("width")).Value;
        using var surrogate = Surrogate(excess, g, (SurrogateShape)ctx.get_data("shape"));
        return [gradOutput * surrogate, null!, null!];
    }

    /// <summary>dH/dv as approximated by <paramref name="shape"/>: peak 1/g at v = 0, unit area.</summary>
    public static Tensor Surrogate(Tensor v, double g, SurrogateShape shape)
    {
        using var scope = NewDisposeScope();
        var result = shape switch
        {
            SurrogateShape.Triangle => (g - v.abs()).clamp_min(0).div_(g * g),
            SurrogateShape.Sigmoid => SigmoidSlope(v, 4 / g),
            SurrogateShape.Arctan => (v * (Math.PI / g)).pow_(2).add_(1).reciprocal_().div_(g),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
        };
        return result.MoveToOuterDisposeScope();
    }

    static Tensor SigmoidSlope(Tensor v, double k)
    {
        var s = (v * k).sigmoid_();
        return s * (1 - s) * k;
    }
}
