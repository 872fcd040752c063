using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// Heaviside spike H(v) with v = u - Vth (H(0) = 1) whose backward pass is a surrogate of width g: the triangle
/// (1/g^2) max(0, g - |v|) for training, or any <see cref="SurrogateShape"/> for attacks, with one width for the
/// layer or one per element. The forward never depends on the surrogate, so spikes are the same whatever backward
/// is chosen.
/// </summary>
public sealed class SurrogateSpike : autograd.SingleTensorFunction<SurrogateSpike>
{
    public override string Name => nameof(SurrogateSpike);

    /// <summary>Spikes for the membrane excess <paramref name="excess"/> = u - Vth, triangle backward.</summary>
    public static Tensor Fire(Tensor excess, double width) => apply(excess, width, SurrogateShape.Triangle);

    /// <summary>As above with any shape.</summary>
    public static Tensor Fire(Tensor excess, double width, SurrogateShape shape) => apply(excess, width, shape);

    /// <summary>As above with a width per element (<paramref name="widths"/> shaped like <paramref name="excess"/>).</summary>
    public static Tensor Fire(Tensor excess, Tensor widths, SurrogateShape shape) => apply(excess, widths, shape);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var excess = (Tensor)vars[0];
        if (vars[1] is Tensor widths) ctx.save_for_backward([excess, widths]);
        else
        {
            ctx.save_for_backward([excess]);
            ctx.save_data("width", vars[1]);
        }
        ctx.save_data("shape", vars[2]);
        return excess.ge(0).to_type(excess.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var shape = (SurrogateShape)ctx.get_data("shape");
        using var surrogate = saved.Count > 1 ? Surrogate(saved[0], saved[1], shape) : Surrogate(saved[0], (double)ctx.get_data("width"), shape);
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

    /// <summary>
    /// The same with a width per element. The arctan is written g / (g^2 + pi^2 v^2), the form the fused kernel
    /// computes, so the two agree to float rounding.
    /// </summary>
    public static Tensor Surrogate(Tensor v, Tensor g, SurrogateShape shape)
    {
        using var scope = NewDisposeScope();
        var result = shape switch
        {
            SurrogateShape.Triangle => (g - v.abs()).clamp_min_(0).div_(g.square()),
            SurrogateShape.Sigmoid => SigmoidSlope(v, 4 / g),
            SurrogateShape.Arctan => g / (g.square() + v.square().mul_(Math.PI * Math.PI)),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
        };
        return result.MoveToOuterDisposeScope();
    }

    static Tensor SigmoidSlope(Tensor v, double k)
    {
        var s = (v * k).sigmoid_();
        return s * (1 - s) * k;
    }

    static Tensor SigmoidSlope(Tensor v, Tensor k)
    {
        var s = (v * k).sigmoid_();
        return s * (1 - s) * k;
    }
}
