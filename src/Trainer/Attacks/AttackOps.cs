using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Shared tensor steps of the attacks. Callers own the dispose scope.</summary>
internal static class AttackOps
{
    /// <summary>
    /// Per-example loss, its gradient with respect to the input, and the logits, all detached.
    /// Uses autograd.grad on the input alone so parameter gradients are never accumulated; grad
    /// mode is forced on because evaluators usually call attacks from inside no_grad.
    /// The summed loss gives each example its own gradient (examples do not interact in eval mode).
    /// </summary>
    public static (Tensor Loss, Tensor Grad, Tensor Logits) LossAndGrad(
        nn.Module<Tensor, Tensor> model, Tensor x, Tensor labels, AttackLoss loss, Tensor? targets = null)
    {
        using var grad = enable_grad();
        var xg = x.detach().requires_grad_(true);
        var logits = model.call(xg);
        var perExample = AttackLosses.PerExample(loss, logits, labels, targets);
        var g = autograd.grad(new[] { perExample.sum() }, new[] { xg }, allow_unused: true)[0];
        // A model whose output does not depend on the input at all yields no gradient: treat as zero.
        if (g is null || g.IsInvalid)
            g = zeros_like(x);
        return (perExample.detach(), g.detach(), logits.detach());
    }

    /// <summary>Projects onto the L-infinity ball around <paramref name="clean"/> and onto [0,1].</summary>
    public static Tensor Project(Tensor x, Tensor clean, double eps)
    {
        var lo = clean - eps;
        var hi = clean + eps;
        return torch.clamp(torch.max(torch.min(x, hi), lo), 0.0, 1.0);
    }

    /// <summary>Reshapes a per-example vector [B] to broadcast against a batch [B, ...].</summary>
    public static Tensor PerExample(Tensor v, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = like.shape[0];
        return v.reshape(shape);
    }
}
