using StableSnn.Grains.Tests.Results;
using StableSnn.Grains.Results;
using StableSnn.Client.Results;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

public sealed class AlphaPlotTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        // IHDR follows the signature: length, "IHDR", then width and height as big-endian integers.
        Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    [Fact]
    public void One_series_per_measure_clean_first()
    {
        var path = _dir.File("alpha.png");

        var info = AlphaPlot.Write(ResultsTable.Build(ResultSamples.Sweep()), path, 640, 480);

        AssertPng(path, 640, 480);
        Assert.Equal(Path.GetFullPath(path), info.Path);
        Assert.Equal(
            [
                new AlphaSeries("fashion-mnist small-cnn lif at: clean", 2),
                new AlphaSeries("fashion-mnist small-cnn lif at: fgsm eps=0.1", 2),
                new AlphaSeries("fashion-mnist small-cnn lif at: pgd eps=0.1", 2),
            ],
            info.Series);
    }

    [Fact]
    public void Clean_is_plotted_when_there_is_no_attack_and_one_alpha_still_gives_points()
    {
        var path = _dir.File("clean.png");
        var table = ResultsTable.Build([ResultSamples.Row(0.5, 1, 0.9, []), ResultSamples.Row(0.5, 2, 0.8, [])]);

        var info = AlphaPlot.Write(table, path);

        AssertPng(path, 900, 600);
        Assert.Equal([new AlphaSeries("fashion-mnist small-cnn lif at: clean", 1)], info.Series);
    }

    [Fact]
    public void Empty_table_is_refused_without_writing()
    {
        var path = _dir.File("none.png");

        Assert.Throws<ArgumentException>(() => AlphaPlot.Write([], path));
        Assert.False(File.Exists(path));
    }
}
