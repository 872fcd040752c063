namespace StableSnn.Trainer.Tests.Data;

/// <summary>A Random whose draws are fixed: Next(max) gives max / 2 (the centre), NextDouble gives <c>value</c>.</summary>
public sealed class FixedRandom(double value) : Random
{
    public override int Next(int maxValue) => maxValue / 2;

    public override double NextDouble() => value;
}
