using StableSnn.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// A layer of LIF or DLIF neurons. Input and output have time folded into the batch axis, [T*B, ...]; the layer
/// unfolds to [T, B, ...] and runs the membrane recurrence step by step:
///   u[t] = tau * u[t-1] + p[t] * I[t];  s[t] = H(u[t] - Vth);  u[t] &lt;- u[t] * (1 - s[t])
/// with p = 1 for LIF and a learnable vector of T gains (shared by the layer, init 1) for DLIF.
/// Under a <see cref="SurrogateOverride"/> the backward uses that surrogate (with an adaptive one, a width per element
/// from its <see cref="SharpnessTracker"/>); the spikes stay the same.
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
        var shape = surrogate?.Shape ?? SurrogateShape.Triangle;
        // Statistics are kept only where a backward can follow: forwards that only score an image leave them alone.
        var needsGrad = is_grad_enabled() && (input.requires_grad || gains is { requires_grad: true });
        var tracker = surrogate is { Adaptive: true } && needsGrad ? SurrogateOverride.Tracker : null;
        var options = surrogate?.Width is { } width ? _options with { SurrogateWidth = width } : _options;
        if (FusedLif.Supports(input, shape) && !ForceStepwise)
            return FusedLif.Run(input, gains, options, shape, tracker is null ? null : new FusedLif.Sharpness(tracker, this));
        return Stepwise(unfolded, options.SurrogateWidth, shape, tracker);
    }

    /// <summary>Runs the tensor version below even where <see cref="FusedLif"/> could (tests compare the two).</summary>
    public bool ForceStepwise { get; set; }

    /// <summary>The recurrence as one autograd graph per time step: any device, any dtype, any surrogate.</summary>
    Tensor Stepwise(Tensor unfolded, double width, SurrogateShape shape, SharpnessTracker? tracker)
    {
        int steps = _options.TimeSteps;
        var spikes = new Tensor[steps];
        Tensor? membrane = null;
        for (int t = 0; t < steps; t++)
        {
            // A scope per time step frees the step's temporaries at once (autograd keeps what backward needs).
            using var scope = NewDisposeScope();
            var current = unfolded[t];
            if (gains is not null) current = current * gains[t];
            var charged = membrane is null ? current : membrane * _options.Tau + current;
            var excess = charged - _options.Threshold;
            var spike = tracker is null
                ? SurrogateSpike.Fire(excess, width, shape)
                : SurrogateSpike.Fire(excess, tracker.Widths(this, t, steps, excess), shape);
            var reset = charged * (1 - spike);
            spikes[t] = spike.MoveToOuterDisposeScope();
            membrane?.Dispose();
            membrane = reset.MoveToOuterDisposeScope();
        }
        membrane?.Dispose();
        var output = stack(spikes).flatten(0, 1);
        foreach (var s in spikes) s.Dispose();
        return output;
    }
}
