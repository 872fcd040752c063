using StableSnn.Contracts;
using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Data;

/// <summary>
/// Reads the gzip-compressed idx files of MNIST and Fashion-MNIST (big-endian headers). The pixels are decompressed
/// straight into the dataset's uint8 tensor: no managed copy of the file is made, because a 47 MB array the GC never
/// needs to collect again would stay resident for the whole training run (it did: 270 MB of the trainer's peak).
/// </summary>
public static class IdxReader
{
    private const int ImagesMagic = 0x00000803; // unsigned byte, 3 dimensions
    private const int LabelsMagic = 0x00000801; // unsigned byte, 1 dimension

    public static ImageDataset Read(string imagesGzPath, string labelsGzPath, string name, int classes)
    {
        using var images = Open(imagesGzPath, name);
        var header = ReadHeader(images, ImagesMagic, 16, imagesGzPath, name);
        long count = ReadInt(header, 4), rows = ReadInt(header, 8), cols = ReadInt(header, 12);
        if (count * rows * cols > int.MaxValue)
            throw Fail(imagesGzPath, $"has a header of {count} images of {rows}x{cols}, more than any idx dataset holds (corrupt header)", name);

        var labels = ReadLabels(labelsGzPath, name, classes);
        if (count != labels.Length)
            throw Fail(imagesGzPath, $"holds {count} images but {labelsGzPath} holds {labels.Length} labels; the two files do not belong together", name);

        var pixels = empty([count, 1, rows, cols], ScalarType.Byte);
        try
        {
            ReadBody(images, pixels.bytes, imagesGzPath, name);
            return new ImageDataset(name, pixels, tensor(labels, ScalarType.Int64), classes);
        }
        catch
        {
            pixels.Dispose();
            throw;
        }
    }

    static long[] ReadLabels(string path, string name, int classes)
    {
        using var stream = Open(path, name);
        long count = ReadInt(ReadHeader(stream, LabelsMagic, 8, path, name), 4);
        if (count > int.MaxValue)
            throw Fail(path, $"has a header of {count} labels, more than any idx dataset holds (corrupt header)", name);
        var bytes = new byte[count];
        ReadBody(stream, bytes, path, name);
        var labels = new long[count];
        for (long i = 0; i < count; i++)
        {
            if (bytes[i] >= classes)
                throw Fail(path, $"label {i} is {bytes[i]}, but the dataset has {classes} classes", name);
            labels[i] = bytes[i];
        }
        return labels;
    }

    static GZipStream Open(string path, string name)
    {
        if (!File.Exists(path))
            throw Fail(path, "does not exist", name);
        return new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    }

    static byte[] ReadHeader(Stream stream, int magic, int length, string path, string name)
    {
        var header = new byte[length];
        int read = Read(stream, header, path, name);
        // Magic first: a swapped or foreign file is a likelier cause than truncation, and says so more usefully.
        if (read >= 4 && BinaryPrimitives.ReadInt32BigEndian(header) is var actual && actual != magic)
            throw Fail(path, $"has idx magic number 0x{actual:X8}, expected 0x{magic:X8} (wrong file, or not an idx file)", name);
        if (read < length)
            throw Fail(path, $"is truncated: {read} bytes, shorter than the {length}-byte idx header", name);
        return header;
    }

    /// <summary>Fills <paramref name="body"/> exactly and checks that nothing follows it.</summary>
    static void ReadBody(Stream stream, Span<byte> body, string path, string name)
    {
        int read = Read(stream, body, path, name);
        if (read < body.Length)
            throw Fail(path, $"is truncated: its header promises {body.Length} data bytes, it holds {read}", name);
        Span<byte> extra = stackalloc byte[1];
        if (Read(stream, extra, path, name) != 0)
            throw Fail(path, $"holds more data than its header's {body.Length} bytes (corrupt, or not this dataset's file)", name);
    }

    /// <summary>Reads until the span is full or the stream ends; gzip errors become a dataset error naming the file.</summary>
    static int Read(Stream stream, Span<byte> buffer, string path, string name)
    {
        try { return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false); }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DatasetException($"Dataset file {path} is not a readable gzip file ({e.Message}). {DatasetLayout.For(name)}", e);
        }
    }

    static long ReadInt(byte[] data, int offset) => (uint)BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));

    static DatasetException Fail(string path, string problem, string name) =>
        new($"Dataset file {path} {problem}. {DatasetLayout.For(name)}");
}
