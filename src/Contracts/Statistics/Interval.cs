namespace StableSnn.Contracts;

/// <summary>A 95% interval around an accuracy, both ends fractions in [0, 1].</summary>
public readonly record struct Interval(double Low, double High)
{
    public double HalfWidth => (High - Low) / 2;
}
