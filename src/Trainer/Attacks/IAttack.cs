using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// An L-infinity attack in [0,1] pixel space. Implementations put the model in eval mode while
/// crafting and restore its previous training flag; they take gradients with respect to the input
/// only, so parameter <c>.grad</c> fields are never touched.
/// </summary>
public interface IAttack
{
    string Name { get; }

    /// <summary>Radius of the L-infinity ball in pixel units (for Gaussian noise: sigma).</summary>
    float Epsilon { get; }

    /// <summary>
    /// Returns adversarial images with the shape, dtype and device of <paramref name="images"/>.
    /// Example i's randomness is drawn from its own CPU <see cref="torch.Generator"/> seeded with
    /// <paramref name="seeds"/>[i] (then moved to the images' device): the same output on any device and in any
    /// batch, without disturbing the global torch RNG.
    /// </summary>
    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds);
}
