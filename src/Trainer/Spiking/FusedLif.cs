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

    /// <summary>The per-element widths of an adaptive surrogate: the attack's tracker and the layer whose statistics it keeps.</summary>
    public sealed record Sharpness(SharpnessTracker Tracker, SpikingNeuron Layer);

    /// <summary>Whether the fused loop can run on <paramref name="input"/> (float32 on the CPU) with that surrogate shape.</summary>
    public static bool Supports(Tensor input, SurrogateShape shape = SurrogateShape.Triangle) =>
        input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32 && shape is SurrogateShape.Triangle or SurrogateShape.Arctan;

    /// <summary>
    /// Spikes [T*B, ...] for input currents [T*B, ...]; <paramref name="gains"/> is DLIF's p[T] or null. Backward
    /// differentiates through <paramref name="shape"/> of the options' width, or with <paramref name="sharpness"/> of
    /// a width per element that the tracker fits from this forward's membrane (as the stepwise graph does).
    /// </summary>
    public static Tensor Run(Tensor input, Tensor? gains, NeuronOptions options, SurrogateShape shape = SurrogateShape.Triangle,
        Sharpness? sharpness = null) =>
        apply(input, gains!, options, shape, sharpness!);

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
            var saved = new List<Tensor> { membrane };
            if (vars[4] is Sharpness sharpness) saved.Add(Widths(sharpness, membrane, options));
            if (gains is not null) saved.AddRange([input, gains]);
            ctx.save_for_backward(saved);
            ctx.save_data("options", options);
            ctx.save_data("shape", vars[3]);
            ctx.save_data("perElement", vars[4] is Sharpness);
        }
        return spikes;
    }

    /// <summary>Each time step's widths from the tracker, laid out like the membrane [T*B, ...].</summary>
    static Tensor Widths(Sharpness sharpness, Tensor membrane, NeuronOptions options)
    {
        int steps = options.TimeSteps;
        var unfolded = membrane.unflatten(0, [steps, membrane.shape[0] / steps]);
        var widths = new Tensor[steps];
        for (var t = 0; t < steps; t++)
        {
            using var excess = unfolded[t] - options.Threshold;
            widths[t] = sharpness.Tracker.Widths(sharpness.Layer, t, steps, excess);
        }
        var all = stack(widths).flatten(0, 1).contiguous();
        foreach (var w in widths) w.Dispose();
        return all;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var options = (NeuronOptions)ctx.get_data("options");
        var shape = (SurrogateShape)ctx.get_data("shape");
        var perElement = (bool)ctx.get_data("perElement");
        var membrane = saved[0];
        var widths = perElement ? saved[1] : null;
        int next = perElement ? 2 : 1;
        Tensor? input = saved.Count > next ? saved[next] : null, gains = saved.Count > next + 1 ? saved[next + 1] : null;
        using var gradSpikes = gradOutput.contiguous();
        var gradInput = empty_like(membrane);
        var gradGains = gains is null ? null : empty_like(gains);
        int steps = options.TimeSteps;
        unsafe
        {
            LifKernel.Backward(Address(gradSpikes), Address(membrane), input is null ? null : Address(input),
                gains is null ? null : Address(gains), widths is null ? null : Address(widths), Address(gradInput),
                gradGains is null ? null : Address(gradGains), steps, membrane.numel() / steps, Constants(options),
                shape == SurrogateShape.Arctan ? LifKernel.Shape.Arctan : LifKernel.Shape.Triangle, get_num_threads());
        }
        return [gradInput, gradGains!, null!, null!, null!];
    }

    static LifKernel.Constants Constants(NeuronOptions o) => new((float)o.Tau, (float)o.Threshold, (float)o.SurrogateWidth);

    static unsafe float* Address(Tensor t) => (float*)LifKernel.THSTensor_data(t.Handle);
}
