namespace StableSnn.Trainer.Data;

/// <summary>
/// Static facts about a dataset: image shape, class count, per-channel normalisation constants (of the training
/// set, in [0,1] pixel units), and whether CIFAR-style augmentation (crop, flip, Cutout) applies.
/// </summary>
public sealed record DatasetInfo(
    string Name, int Channels, int Height, int Width, int Classes, float[] Mean, float[] Std, bool UsesCifarAugmentation);
