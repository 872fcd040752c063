using StableSnn.Contracts;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Data;

/// <summary>
/// Reads the CIFAR-10/100 binary releases. Each record is the label byte(s) then 3072 pixels stored channel-major
/// (R plane, G plane, B plane, each 32x32 row-major), which is already the [C, H, W] layout.
/// </summary>
public static class CifarReader
{
    private const int Side = 32;
    private const int PixelBytes = 3 * Side * Side;

    /// <summary>CIFAR-10 files (data_batch_1..5.bin or test_batch.bin): 1 label byte per record, 10 classes.</summary>
    public static ImageDataset ReadCifar10(IEnumerable<string> files, string name = "cifar10") =>
        Read(files, name, labelBytes: 1, labelOffset: 0, classes: 10);

    /// <summary>CIFAR-100 files (train.bin, test.bin): coarse then fine label byte; the fine label (100 classes) is used.</summary>
    public static ImageDataset ReadCifar100(IEnumerable<string> files, string name = "cifar100") =>
        Read(files, name, labelBytes: 2, labelOffset: 1, classes: 100);

    private static ImageDataset Read(IEnumerable<string> files, string name, int labelBytes, int labelOffset, int classes)
    {
        int recordSize = labelBytes + PixelBytes;
        var paths = files.ToList();
        if (paths.Count == 0)
            throw new ArgumentException("At least one CIFAR file is required.", nameof(files));
        var contents = new List<(string Path, byte[] Data)>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
                throw Fail(path, "does not exist", name);
            var data = File.ReadAllBytes(path);
            if (data.Length == 0 || data.Length % recordSize != 0)
                throw Fail(path, $"is {data.Length} bytes, not a positive multiple of the {recordSize}-byte record " +
                    $"(truncated, or not a {(classes == 10 ? "CIFAR-10" : "CIFAR-100")} binary file)", name);
            contents.Add((path, data));
        }

        long count = contents.Sum(c => (long)(c.Data.Length / recordSize));
        var pixels = new byte[count * PixelBytes];
        var labels = new long[count];
        long n = 0;
        foreach (var (path, data) in contents)
        {
            for (int offset = 0; offset < data.Length; offset += recordSize, n++)
            {
                byte label = data[offset + labelOffset];
                if (label >= classes)
                    throw Fail(path, $"record {offset / recordSize} has label {label}, but the dataset has {classes} classes", name);
                labels[n] = label;
                Array.Copy(data, offset + labelBytes, pixels, n * PixelBytes, PixelBytes);
            }
        }

        return new ImageDataset(name,
            tensor(pixels, new[] { count, 3, Side, Side }, ScalarType.Byte),
            tensor(labels, ScalarType.Int64), classes);
    }

    private static DatasetException Fail(string path, string problem, string name) =>
        new($"Dataset file {path} {problem}. {DatasetLayout.For(name)}");
}
