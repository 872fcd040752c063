namespace StableSnn.Contracts;

/// <summary>Shape of the surrogate dH/dv, v = u - Vth. Every shape has peak 1/g at v = 0 and unit area (H's jump).</summary>
public enum SurrogateShape
{
    /// <summary>(1/g^2) max(0, g - |v|): zero beyond |v| = g (the training surrogate).</summary>
    Triangle,
    /// <summary>d/dv sigmoid(k v) = k s (1 - s) with k = 4/g: never zero, tails fall like exp(-4|v|/g).</summary>
    Sigmoid,
    /// <summary>d/dv (1/pi) arctan(pi v / g) = (1/g) / (1 + (pi v / g)^2): never zero, heavy tails (~ g / (pi^2 v^2)).</summary>
    Arctan,
}

/// <summary>
/// The backward an attack differentiates through; the forward stays the model's exact Heaviside spikes.
/// </summary>
/// <param name="Shape">Surrogate shape.</param>
/// <param name="Width">g in membrane units; null = each neuron's own training width.</param>
/// <param name="Adaptive">
/// Re-fit g per layer and per forward from the membrane the layer sees (in the spirit of ASSG, Wang et al.,
/// arXiv 2512.22522): g' = max(g, 2 Q), Q = the ceil(q n)-th smallest |u - Vth| over the layer's n neuron-steps.
/// At |v| = Q the triangle is still half its peak, so at least a fraction q of neuron-steps get gradient. The factor 2
/// keeps the quantile itself, and ties such as silent neurons all sitting at u = 0, off the triangle's zero edge.
/// </param>
/// <param name="Quantile">
/// q of the adaptive rule, in (0, 1]. The default 0.25 widens only where fewer than a quarter of neuron-steps are near
/// threshold, i.e. where the gradient is vanishing; a width fitted to q = 0.9 smoothed a working gradient away (PGD-20
/// through it left 75% robust accuracy on a Fashion-MNIST small-cnn where the training surrogate left 70%).
/// </param>
public sealed record SurrogateGradient(
    SurrogateShape Shape = SurrogateShape.Triangle,
    double? Width = null,
    bool Adaptive = false,
    double Quantile = 0.25)
{
    public double? Width { get; init; } = Width is null or > 0
        ? Width : throw new ArgumentOutOfRangeException(nameof(Width), Width, "width must be positive");

    public double Quantile { get; init; } = Quantile is > 0 and <= 1
        ? Quantile : throw new ArgumentOutOfRangeException(nameof(Quantile), Quantile, "quantile must lie in (0, 1]");

    public override string ToString() => $"{Shape}{(Width is { } g ? $"(g={g})" : "")}{(Adaptive ? $"-adaptive(q={Quantile})" : "")}";
}
