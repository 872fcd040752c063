using StableSnn.Trainer.Models;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Training;

/// <summary>The perturbed input x~ of each training mode.</summary>
public static class PerturbedInputs
{
    public static Tensor Gaussian(Tensor x, double sigma) => x + randn_like(x) * sigma;

    /// <summary>
    /// FGSM from a slightly noised start, crafted with the model in eval mode (BN statistics frozen):
    /// x0 = x + 0.001 N(0, I); x~ = clamp(x0 + eps sign(grad_x CE(f(x0), y)), 0, 1).
    /// </summary>
    public static Tensor Fgsm(SpikingNetwork model, Tensor x, Tensor y, double epsilon, double startNoise)
    {
        using var scope = NewDisposeScope();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var start = (x + randn_like(x) * startNoise).detach().requires_grad_(true);
            Tensor grad;
            using (enable_grad())
            {
                var loss = nn.functional.cross_entropy(model.forward(start), y);
                grad = autograd.grad([loss], [start])[0];
            }
            return (start.detach() + grad.sign() * epsilon).clamp(0, 1).detach().MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
