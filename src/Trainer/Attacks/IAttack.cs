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
    /// All randomness is drawn from a CPU <see cref="torch.Generator"/> seeded with
    /// <paramref name="seed"/> (then moved to the images' device), so a fixed seed gives the same
    /// output on any device and does not disturb the global torch RNG.
    /// </summary>
    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long seed);
}
