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
/// Fit the width per element (neuron x time step x example) from the membrane potentials the attack itself meets, in
/// the spirit of ASSG (Wang et al., arXiv 2512.22522): over the forward passes of one attack run, each element keeps a
/// running mean r^2 of (u - Vth)^2 (<see cref="Momentum"/>), and its width is g = max(<see cref="MinWidth"/>,
/// <see cref="Scale"/> r): elements near threshold keep a sharp, accurate surrogate, elements far from it still get a
/// gradient (the arctan is never exactly zero; at distance r it passes 1 / ((1 + pi^2) r) with the default scale 1).
/// An element's width depends only on its own example's membranes,
/// so an image's gradient does not depend on its batch-mates; and it scales with the membrane, so a network whose
/// currents and thresholds are multiplied by a constant gets the same gradient direction.
/// </param>
public sealed record SurrogateGradient(
    SurrogateShape Shape = SurrogateShape.Triangle,
    double? Width = null,
    bool Adaptive = false)
{
    public double? Width { get; init; } = Width is null or > 0
        ? Width : throw new ArgumentOutOfRangeException(nameof(Width), Width, "width must be positive");

    /// <summary>Weight of the past in the running mean of (u - Vth)^2, in [0, 1): 0 uses the current forward only.</summary>
    public double Momentum { get; init; } = 0.75;

    /// <summary>
    /// Width per unit of root-mean-square distance from threshold. 1 was measured best (bench/README.md, "AutoAttack-grade
    /// evaluation": APGD-CE left 7 images that Square-5000 broke at 1, 0.5 and 0.25, and 17 at pi, the width that would
    /// make the arctan largest at that distance).
    /// </summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>The narrowest width an element gets (a membrane sitting on the threshold would otherwise get a delta).</summary>
    public double MinWidth { get; init; } = 0.05;

    /// <summary>Every problem with the settings, each naming the field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Momentum is not (>= 0 and < 1)) errors.Add($"surrogate.momentum: {Momentum} must be in [0, 1)");
        if (!(Scale > 0) || !double.IsFinite(Scale)) errors.Add($"surrogate.scale: {Scale} must be a positive number");
        if (!(MinWidth > 0) || !double.IsFinite(MinWidth)) errors.Add($"surrogate.minWidth: {MinWidth} must be a positive number");
        return errors;
    }

    public override string ToString() =>
        $"{Shape}{(Width is { } g ? $"(g={g})" : "")}{(Adaptive ? $"-adaptive(per element, scale {Scale:0.###}, momentum {Momentum:0.##})" : "")}";
}
