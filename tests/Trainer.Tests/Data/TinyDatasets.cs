using StableSnn.Trainer.Data;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Data;

/// <summary>In-memory datasets whose item i is recognisable: every pixel equals i % 256 and the label is i.</summary>
public static class TinyDatasets
{
    public static ImageDataset Numbered(int count, int channels = 1, int side = 4)
    {
        var pixels = new byte[count * channels * side * side];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(i / (channels * side * side) % 256);
        return new ImageDataset("tiny",
            tensor(pixels, new long[] { count, channels, side, side }, ScalarType.Byte),
            tensor(Enumerable.Range(0, count).Select(i => (long)i).ToArray(), ScalarType.Int64),
            classes: Math.Max(count, 1));
    }

    public static long[] Labels(ImageDataset ds) => ds.Labels.data<long>().ToArray();
}
