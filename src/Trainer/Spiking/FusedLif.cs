using TorchSharp;
using StableSnn.Contracts;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// The whole LIF/DLIF time loop as one autograd node on the CPU (<see cref="LifKernel"/>): backward keeps only the
/// membrane u[t] (and the input for DLIF's gain gradient) instead of every per-step temporary, which is what
/// makes the trainer faster and smaller than the step-by-step graph. Same values and gradients as
/// <see cref="SpikingNeuron"/>'s tensor version, which the tests hold it to.
/// </summary>
public sealed class FusedLif : autograd.SingleTensorFunction<FusedLif>
{
    public override string Name => nameof(FusedLif);

    /// <summary>Whether the fused loop can run on <paramref name="input"/>: float32 on the CPU.</summary>
    public static bool Supports(Tensor input) => input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32;

    /// <summary>
    /// Spikes [T*B, ...] for input currents [T*B, ...]; <paramref name="gains"/> is DLIF's p[T] or null. With an
    /// <paramref name="adaptiveQuantile"/> q, backward's triangle takes the adaptive width max(g, 2 Q), Q the q-quantile
    /// of |u - Vth| over this forward's membrane (the rule of <see cref="SurrogateGradient"/>, as the stepwise graph
    /// applies it), so attacks through the adaptive surrogate keep the fused kernel's speed.
    /// </summary>
    public static Tensor Run(Tensor input, Tensor? gains, NeuronOptions options, double adaptiveQuantile = double.NaN) =>
        apply(input, gains!, options, adaptiveQuantile);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = ((Tensor)vars[0]).contiguous();
        var gains = (vars[1] as Tensor)?.detach().contiguous();
        var options = (NeuronOptions)vars[2];
        int steps = options.TimeSteps;
        long n = input.numel() / steps;
        var spikes = empty_like(input);
        // Autograd runs this forward with grad mode off; the inputs still say whether a backward can follow.
        bool needsGrad = ((Tensor)vars[0]).requires_grad || gains is not null && ((Tensor)vars[1]).requires_grad;
        var membrane = needsGrad ? empty_like(input) : null;
        unsafe
        {
            LifKernel.Forward(Address(input), gains is null ? null : Address(gains), Address(spikes),
                membrane is null ? null : Address(membrane), steps, n, Constants(options), get_num_threads());
        }
        if (membrane is not null)
        {
            var quantile = (double)vars[3];
            if (double.IsFinite(quantile))
            {
                using var distances = (membrane - options.Threshold).abs_();
                options = options with { SurrogateWidth = AdaptiveWidth.Fit(distances, options.SurrogateWidth, quantile) };
            }
            ctx.save_for_backward(gains is null ? [membrane] : [membrane, input, gains]);
            ctx.save_data("options", options);
        }
        return spikes;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var options = (NeuronOptions)ctx.get_data("options");
        var membrane = saved[0];
        Tensor? input = saved.Count > 1 ? saved[1] : null, gains = saved.Count > 2 ? saved[2] : null;
        using var gradSpikes = gradOutput.contiguous();
        var gradInput = empty_like(membrane);
        var gradGains = gains is null ? null : empty_like(gains);
        int steps = options.TimeSteps;
        unsafe
        {
            LifKernel.Backward(Address(gradSpikes), Address(membrane), input is null ? null : Address(input),
                gains is null ? null : Address(gains), Address(gradInput), gradGains is null ? null : Address(gradGains),
                steps, membrane.numel() / steps, Constants(options), get_num_threads());
        }
        return [gradInput, gradGains!, null!, null!];
    }

    static LifKernel.Constants Constants(NeuronOptions o) => new((float)o.Tau, (float)o.Threshold, (float)o.SurrogateWidth);

    static unsafe float* Address(Tensor t) => (float*)LifKernel.THSTensor_data(t.Handle);
}
