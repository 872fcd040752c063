namespace StableSnn.Trainer.Models;

public readonly record struct InputShape(int Channels, int Height, int Width)
{
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
