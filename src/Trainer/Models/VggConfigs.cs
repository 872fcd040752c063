namespace StableSnn.Trainer.Models;

/// <summary>VGG feature stacks: a number is a Conv3x3-BN-spike block with that many channels, 0 is a 2x2 AvgPool.</summary>
public static class VggConfigs
{
    public const int Pool = 0;

    public static readonly int[] Vgg5 = [64, Pool, 128, 128, Pool];
    // This paper's VGG-11 variant: [64, A], [128, 256, A], [512, 512, 512, A], [512, 512].
    public static readonly int[] Vgg11 = [64, Pool, 128, 256, Pool, 512, 512, 512, Pool, 512, 512];
    public static readonly int[] Vgg13 = [64, 64, Pool, 128, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool];
    public static readonly int[] Vgg16 = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, Pool, 512, 512, 512, Pool, 512, 512, 512, Pool];
}
