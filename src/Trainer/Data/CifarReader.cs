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

    // Records are read one at a time straight into the dataset's uint8 tensor: reading whole files first would leave
    // their copies (150 MB for CIFAR's training set) in the managed heap for the whole run.
    private static ImageDataset Read(IEnumerable<string> files, string name, int labelBytes, int labelOffset, int classes)
    {
        int recordSize = labelBytes + PixelBytes;
        var paths = files.ToList();
        if (paths.Count == 0)
            throw new ArgumentException("At least one CIFAR file is required.", nameof(files));
        foreach (var path in paths)
        {
            if (!File.Exists(path))
                throw Fail(path, "does not exist", name);
            long length = new FileInfo(path).Length;
            if (length == 0 || length % recordSize != 0)
                throw Fail(path, $"is {length} bytes, not a positive multiple of the {recordSize}-byte record " +
                    $"(truncated, or not a {(classes == 10 ? "CIFAR-10" : "CIFAR-100")} binary file)", name);
        }

        long count = paths.Sum(p => new FileInfo(p).Length / recordSize);
        var pixels = empty([count, 3, Side, Side], ScalarType.Byte);
        try
        {
            var labels = new long[count];
            var all = pixels.bytes;
            Span<byte> label = stackalloc byte[labelBytes];
            long n = 0;
            foreach (var path in paths)
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                for (long record = 0; record < file.Length / recordSize; record++, n++)
                {
                    file.ReadExactly(label);
                    if (label[labelOffset] >= classes)
                        throw Fail(path, $"record {record} has label {label[labelOffset]}, but the dataset has {classes} classes", name);
                    labels[n] = label[labelOffset];
                    file.ReadExactly(all.Slice(checked((int)(n * PixelBytes)), PixelBytes));
                }
            }
            return new ImageDataset(name, pixels, tensor(labels, ScalarType.Int64), classes);
        }
        catch
        {
            pixels.Dispose();
            throw;
        }
    }

    private static DatasetException Fail(string path, string problem, string name) =>
        new($"Dataset file {path} {problem}. {DatasetLayout.For(name)}");
}
