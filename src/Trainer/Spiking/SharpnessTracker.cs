using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// The running statistics of an adaptive <see cref="SurrogateGradient"/> over one attack run: per spiking layer and per
/// element (time step x example x neuron), the running mean r^2 of (u - Vth)^2 over the forward passes the run has made,
/// and from it the element's width g = max(MinWidth, Scale r). Elements never mix, so an example's widths depend on its
/// own membranes alone. Forward passes without a backward (no input needs a gradient) leave the statistics alone.
/// Attacks that drop finished examples from their batch call <see cref="Keep"/>; a new run (a restart, another target
/// class) calls <see cref="Restart"/>; a forward on a batch of another size starts that layer afresh. Tensors live outside dispose scopes until the tracker is disposed.
/// </summary>
public sealed class SharpnessTracker(SurrogateGradient gradient) : IDisposable
{
    readonly Dictionary<SpikingNeuron, Layer> _layers = new(ReferenceEqualityComparer.Instance);

    public SurrogateGradient Gradient { get; } = gradient.Adaptive
        ? gradient : throw new ArgumentException("a sharpness tracker needs an adaptive surrogate", nameof(gradient));

    /// <summary>Forward passes whose membranes the statistics have seen, per layer (the largest count; for tests and traces).</summary>
    public int Updates => _layers.Count == 0 ? 0 : _layers.Values.Max(l => l.Updates.Max());

    /// <summary>
    /// Folds step <paramref name="step"/>'s membrane excess v = u - Vth ([B, ...]) of <paramref name="layer"/> into its
    /// statistics and returns that step's widths (same shape, a new tensor in the caller's dispose scope).
    /// </summary>
    public Tensor Widths(SpikingNeuron layer, int step, int steps, Tensor excess)
    {
        using var noGrad = no_grad();
        var examples = excess.shape[0];
        // A batch of another size is other examples (attacks that drop finished ones call Keep): it starts afresh.
        if (_layers.TryGetValue(layer, out var stale) && stale.Examples != examples)
        {
            stale.Dispose();
            _layers.Remove(layer);
        }
        if (!_layers.TryGetValue(layer, out var state))
            _layers[layer] = state = new Layer(steps, examples);
        var squared = excess.detach().square();
        var previous = state.Squares[step];
        var next = previous is null ? squared : previous.mul(Gradient.Momentum).add_(squared, alpha: 1 - Gradient.Momentum);
        state.Squares[step] = next.DetachFromDisposeScope();
        previous?.Dispose();
        state.Updates[step]++;
        return next.sqrt().mul_(Gradient.Scale).clamp_min_(Gradient.MinWidth);
    }

    /// <summary>Keeps the statistics of the examples at <paramref name="rows"/> (indices into the current batch), in that order.</summary>
    public void Keep(Tensor rows)
    {
        foreach (var state in _layers.Values)
        {
            for (var t = 0; t < state.Squares.Length; t++)
            {
                if (state.Squares[t] is not { } old) continue;
                state.Squares[t] = old.index_select(0, rows.to(old.device)).DetachFromDisposeScope();
                old.Dispose();
            }
            state.Examples = rows.shape[0];
        }
    }

    /// <summary>Forgets every statistic: the next forward starts a new run.</summary>
    public void Restart()
    {
        foreach (var state in _layers.Values) state.Dispose();
        _layers.Clear();
    }

    public void Dispose() => Restart();

    sealed class Layer(int steps, long examples) : IDisposable
    {
        public Tensor?[] Squares { get; } = new Tensor?[steps];
        public int[] Updates { get; } = new int[steps];
        public long Examples { get; set; } = examples;

        public void Dispose()
        {
            foreach (var s in Squares) s?.Dispose();
        }
    }
}
