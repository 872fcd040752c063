using StableSnn.Contracts;
using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Data;

/// <summary>Reads the gzip-compressed idx files of MNIST and Fashion-MNIST (big-endian headers).</summary>
public static class IdxReader
{
    private const int ImagesMagic = 0x00000803; // unsigned byte, 3 dimensions
    private const int LabelsMagic = 0x00000801; // unsigned byte, 1 dimension

    public static ImageDataset Read(string imagesGzPath, string labelsGzPath, string name, int classes)
    {
        var images = Decompress(imagesGzPath, name);
        var labels = Decompress(labelsGzPath, name);

        CheckMagic(images, ImagesMagic, 16, imagesGzPath, name);
        CheckMagic(labels, LabelsMagic, 8, labelsGzPath, name);
        long count = ReadInt(images, 4), rows = ReadInt(images, 8), cols = ReadInt(images, 12);
        long labelCount = ReadInt(labels, 4);
        CheckLength(images, 16 + count * rows * cols, imagesGzPath, name);
        CheckLength(labels, 8 + labelCount, labelsGzPath, name);
        if (count != labelCount)
            throw Fail(imagesGzPath, $"holds {count} images but {labelsGzPath} holds {labelCount} labels; the two files do not belong together", name);

        var labelValues = new long[count];
        for (long i = 0; i < count; i++)
        {
            byte value = labels[8 + i];
            if (value >= classes)
                throw Fail(labelsGzPath, $"label {i} is {value}, but the dataset has {classes} classes", name);
            labelValues[i] = value;
        }

        var pixels = images.AsSpan(16).ToArray();
        return new ImageDataset(name,
            tensor(pixels, new[] { count, 1, rows, cols }, ScalarType.Byte),
            tensor(labelValues, ScalarType.Int64), classes);
    }

    private static byte[] Decompress(string path, string name)
    {
        if (!File.Exists(path))
            throw Fail(path, "does not exist", name);
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DatasetException($"Dataset file {path} is not a readable gzip file ({e.Message}). {DatasetLayout.For(name)}", e);
        }
    }

    private static void CheckMagic(byte[] data, int magic, int headerLength, string path, string name)
    {
        // Magic first: a swapped or foreign file is a likelier cause than truncation, and says so more usefully.
        if (data.Length >= 4 && BinaryPrimitives.ReadInt32BigEndian(data) is var actual && actual != magic)
            throw Fail(path, $"has idx magic number 0x{actual:X8}, expected 0x{magic:X8} (wrong file, or not an idx file)", name);
        if (data.Length < headerLength)
            throw Fail(path, $"is truncated: {data.Length} bytes, shorter than the {headerLength}-byte idx header", name);
    }

    private static void CheckLength(byte[] data, long expected, string path, string name)
    {
        if (data.Length != expected)
            throw Fail(path, $"is {data.Length} bytes after decompression, but its header says {expected} (truncated or corrupt)", name);
    }

    private static long ReadInt(byte[] data, int offset) => (uint)BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));

    private static DatasetException Fail(string path, string problem, string name) =>
        new($"Dataset file {path} {problem}. {DatasetLayout.For(name)}");
}
