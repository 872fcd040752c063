using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Data;

/// <summary>
/// CIFAR-style augmentation on a float batch [B, C, H, W] in [0,1]: random crop after zero padding, random
/// horizontal flip, and Cutout (one square hole set to 0). All randomness comes from the caller's
/// <see cref="Random"/>, drawn in a fixed order per sample, so the result is reproducible from a seed.
/// </summary>
public sealed class Augmentation
{
    /// <summary>Zero padding on each side before the random crop; 0 disables cropping.</summary>
    public int Padding { get; init; } = 4;

    /// <summary>Side of the Cutout hole; 0 disables Cutout.</summary>
    public int CutoutSize { get; init; } = 16;

    public bool Flip { get; init; } = true;

    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Returns a new tensor on the batch's device; the input is not modified.</summary>
    public Tensor Apply(Tensor batch, Random rng)
    {
        if (batch.dim() != 4 || !batch.is_floating_point())
            throw new ArgumentException($"expected a float batch [B, C, H, W], got {batch.dtype} [{string.Join(", ", batch.shape)}]", nameof(batch));
        using var scope = NewDisposeScope();
        long count = batch.shape[0], height = batch.shape[2], width = batch.shape[3];
        var source = Padding > 0 ? nn.functional.pad(batch, [Padding, Padding, Padding, Padding]) : batch;

        var samples = new Tensor[count];
        var holes = new List<(long Sample, long Y0, long Y1, long X0, long X1)>();
        for (long i = 0; i < count; i++)
        {
            var sample = source[i];
            if (Padding > 0)
                sample = sample.narrow(1, rng.Next(2 * Padding + 1), height).narrow(2, rng.Next(2 * Padding + 1), width);
            if (Flip && rng.NextDouble() < FlipProbability)
                sample = sample.flip(2);
            samples[i] = sample;
            if (CutoutSize > 0)
            {
                // Centre anywhere in the image; the hole is clipped at the borders (as in DeVries & Taylor 2017).
                long cy = rng.Next((int)height), cx = rng.Next((int)width);
                long y0 = cy - CutoutSize / 2, x0 = cx - CutoutSize / 2;
                holes.Add((i, Math.Max(0, y0), Math.Min(height, y0 + CutoutSize), Math.Max(0, x0), Math.Min(width, x0 + CutoutSize)));
            }
        }

        // stack copies, so the result never aliases the input even when every step above was a view.
        var result = stack(samples);
        foreach (var (i, y0, y1, x0, x1) in holes)
            result[TensorIndex.Single(i), TensorIndex.Colon, TensorIndex.Slice(y0, y1), TensorIndex.Slice(x0, x1)].fill_(0);
        return result.MoveToOuterDisposeScope();
    }
}
