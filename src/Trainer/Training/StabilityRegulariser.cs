using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Training;

/// <summary>
/// The paper's MS-MPPD: the membrane-potential perturbation of the last spiking layer under the reset-free dynamics
/// e[0] = 0, e[t] = tau * e[t-1] + delta[t], delta = I_clean - I_perturbed, averaged as mean over (t, batch, neurons)
/// of e[t]^2. Keeping e small keeps input perturbations from growing through the leak (L2 gain sqrt(1/(1-tau))).
/// </summary>
public static class StabilityRegulariser
{
    /// <summary>e[t] for t = 1..T from delta[t], both [T, ...].</summary>
    public static Tensor Trajectory(Tensor delta, double tau)
    {
        using var scope = NewDisposeScope();
        var steps = new Tensor[delta.shape[0]];
        Tensor? e = null;
        for (int t = 0; t < steps.Length; t++)
        {
            e = e is null ? delta[t] : e * tau + delta[t];
            steps[t] = e;
        }
        return stack(steps).MoveToOuterDisposeScope();
    }

    /// <summary>V = mean e^2, with the clean currents detached so only the perturbed run is pushed.</summary>
    public static Tensor Value(Tensor cleanCurrent, Tensor perturbedCurrent, double tau)
    {
        using var scope = NewDisposeScope();
        var delta = cleanCurrent.detach() - perturbedCurrent;
        return Trajectory(delta, tau).square().mean().MoveToOuterDisposeScope();
    }
}
