namespace StableSnn.Contracts;

/// <summary>
/// The network architectures a spec may name. The engine checks sweeps against them; the trainer's
/// <c>Architectures</c> builds each, and a test fails when a name here cannot be built there.
/// </summary>
public static class ArchitectureNames
{
    public const string SmallCnn = "small-cnn";
    public const string Vgg5 = "vgg5";
    public const string Vgg11 = "vgg11";
    public const string Vgg13 = "vgg13";
    public const string Vgg16 = "vgg16";
    public const string Wrn16 = "wrn16";

    public static readonly IReadOnlyList<string> All = [SmallCnn, Vgg5, Vgg11, Vgg13, Vgg16, Wrn16];
}
