using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Data;

/// <summary>
/// An in-memory image dataset on the CPU: uint8 images [N, C, H, W] (4x smaller than float; batches are
/// converted on the way out) and int64 labels [N]. Owns its tensors.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Takes ownership of both tensors, detaching them from any dispose scope so the scope cannot free them.</summary>
    public ImageDataset(string name, Tensor images, Tensor labels, int classes)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
            throw new ArgumentException($"images must be uint8 [N, C, H, W], got {images.dtype} [{string.Join(", ", images.shape)}]", nameof(images));
        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be int64 [{images.shape[0]}], got {labels.dtype} [{string.Join(", ", labels.shape)}]", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Name = name;
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        Classes = classes;
    }

    public string Name { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Classes { get; }
    public int Count => (int)Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    /// <summary>A new dataset holding copies of the given rows, in the given order.</summary>
    public ImageDataset Select(long[] indices, string? name = null)
    {
        using var scope = NewDisposeScope();
        var index = tensor(indices, ScalarType.Int64);
        return new ImageDataset(name ?? Name, Images.index_select(0, index), Labels.index_select(0, index), Classes);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
