using System.Buffers.Binary;
using System.IO.Compression;

namespace StableSnn.TestSupport;

/// <summary>Writes small files in the real on-disk formats so the readers can be tested without the datasets.</summary>
public static class SyntheticFiles
{
    public static byte[] IdxImages(int count, int rows, int cols, byte[] pixels) =>
        [.. BigEndian(0x00000803), .. BigEndian(count), .. BigEndian(rows), .. BigEndian(cols), .. pixels];

    public static byte[] IdxLabels(byte[] labels) => [.. BigEndian(0x00000801), .. BigEndian(labels.Length), .. labels];

    public static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }

    /// <summary>CIFAR records: the label bytes, then 3072 pixels where channel c holds value pixel(record, c, position).</summary>
    public static byte[] CifarRecords(byte[][] labels, Func<int, int, int, byte> pixel)
    {
        var data = new List<byte>();
        for (int r = 0; r < labels.Length; r++)
        {
            data.AddRange(labels[r]);
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++)
                    data.Add(pixel(r, c, p));
        }
        return [.. data];
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
