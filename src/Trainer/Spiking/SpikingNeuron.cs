using StableSnn.Contracts;
using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// A layer of LIF or DLIF neurons. Input and output have time folded into the batch axis, [T*B, ...]; the layer
/// unfolds to [T, B, ...] and runs the membrane recurrence step by step:
///   u[t] = tau * u[t-1] + p[t] * I[t];  s[t] = H(u[t] - Vth);  u[t] &lt;- u[t] * (1 - s[t])
/// with p = 1 for LIF and a learnable vector of T gains (shared by the layer, init 1) for DLIF.
/// Under a <see cref="SurrogateOverride"/> the backward uses that surrogate; the spikes stay the same.
/// </summary>
public sealed class SpikingNeuron : nn.Module<Tensor, Tensor>
{
    readonly NeuronOptions _options;
    readonly Parameter? gains;

    public SpikingNeuron(NeuronOptions options, string name = "neuron") : base(name)
    {
        _options = options;
        if (options.Kind == NeuronKind.Dlif)
            gains = nn.Parameter(ones(options.TimeSteps));
        RegisterComponents();
    }

    public NeuronOptions Options => _options;

    /// <summary>The DLIF gains p[t], or null for LIF.</summary>
    public Parameter? Gains => gains;

    /// <summary>When set, the next forward keeps its input current I (before the gains), shape [T, B, ...].</summary>
    public bool RecordInput { get; set; }

    /// <summary>The input current of the last forward while <see cref="RecordInput"/> was set.</summary>
    public Tensor? RecordedInput { get; private set; }

    public override Tensor forward(Tensor input)
    {
        int steps = _options.TimeSteps;
        if (input.shape[0] % steps != 0)
            throw new ArgumentException($"leading dimension {input.shape[0]} is not a multiple of T = {steps}");
        var unfolded = input.unflatten(0, [steps, input.shape[0] / steps]);
        RecordedInput = RecordInput ? unfolded : null;
        var surrogate = SurrogateOverride.Current;
        // LifKernel's backward is the triangle (any width, adaptive or not); other shapes take the step-by-step graph.
        if (FusedLif.Supports(input) && !ForceStepwise && (surrogate is null || surrogate.Shape == SurrogateShape.Triangle))
        {
            var options = surrogate?.Width is { } width ? _options with { SurrogateWidth = width } : _options;
            return FusedLif.Run(input, gains, options, surrogate is { Adaptive: true } adaptive ? adaptive.Quantile : double.NaN);
        }
        return Stepwise(unfolded, surrogate);
    }

    /// <summary>Runs the tensor version below even where <see cref="FusedLif"/> could (tests compare the two).</summary>
    public bool ForceStepwise { get; set; }

    /// <summary>The recurrence as one autograd graph per time step: any device, any dtype, any surrogate.</summary>
    Tensor Stepwise(Tensor unfolded, SurrogateGradient? surrogate)
    {
        int steps = _options.TimeSteps;
        var spikes = new Tensor[steps];
        var shape = surrogate?.Shape ?? SurrogateShape.Triangle;
        // Read by every step's backward, so the adaptive rule can set it once the whole membrane is known.
        var width = new StrongBox<double>(surrogate?.Width ?? _options.SurrogateWidth);
        var distances = surrogate is { Adaptive: true } ? new Tensor[steps] : null;
        Tensor? membrane = null;
        for (int t = 0; t < steps; t++)
        {
            // A scope per time step frees the step's temporaries at once (autograd keeps what backward needs).
            using var scope = NewDisposeScope();
            var current = unfolded[t];
            if (gains is not null) current = current * gains[t];
            var charged = membrane is null ? current : membrane * _options.Tau + current;
            var excess = charged - _options.Threshold;
            var spike = SurrogateSpike.Fire(excess, width, shape);
            if (distances is not null) distances[t] = excess.detach().abs().MoveToOuterDisposeScope();
            var reset = charged * (1 - spike);
            spikes[t] = spike.MoveToOuterDisposeScope();
            membrane?.Dispose();
            membrane = reset.MoveToOuterDisposeScope();
        }
        membrane?.Dispose();
        if (distances is not null)
        {
            using (var all = cat(distances, 0)) width.Value = AdaptiveWidth.Fit(all, width.Value, surrogate!.Quantile);
            foreach (var d in distances) d.Dispose();
        }
        var output = stack(spikes).flatten(0, 1);
        foreach (var s in spikes) s.Dispose();
        return output;
    }
}
