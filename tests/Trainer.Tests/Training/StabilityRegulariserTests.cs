using StableSnn.Trainer.Training;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Training;

public class StabilityRegulariserTests
{
    [Fact]
    public void TrajectoryOfAConstantPerturbationIsTheGeometricSum()
    {
        using var scope = NewDisposeScope();
        // e[t] = (1 - tau^t) / (1 - tau) for delta = 1: 1, 1.9, 2.71, 3.439 at tau 0.9.
        var e = StabilityRegulariser.Trajectory(ones(4, 1), 0.9).data<float>().ToArray();
        Assert.Equal([1f, 1.9f, 2.71f, 3.439f], e.Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void TrajectoryMatchesTheClosedFormOnRandomPerturbations()
    {
        using var scope = NewDisposeScope();
        const double tau = 0.99;
        var delta = randn(8, 3, 5, generator: new Generator(7));
        var e = StabilityRegulariser.Trajectory(delta, tau);
        var d = delta.data<float>().ToArray();
        var actual = e.data<float>().ToArray();
        for (int t = 0; t < 8; t++)
        for (int i = 0; i < 15; i++)
        {
            double expected = 0; // e[t] = sum_{k <= t} tau^(t-k) delta[k]
            for (int k = 0; k <= t; k++) expected += Math.Pow(tau, t - k) * d[k * 15 + i];
            Assert.Equal(expected, actual[t * 15 + i], 4);
        }
    }

    [Fact]
    public void ValueMatchesAHandComputation()
    {
        using var scope = NewDisposeScope();
        // delta = [0.5, 1], tau 0.5: e = [0.5, 1.25]; V = (0.25 + 1.5625) / 2 = 0.90625.
        var clean = tensor(new float[] { 1, 1 }).reshape(2, 1, 1);
        var perturbed = tensor(new float[] { 0.5f, 0 }).reshape(2, 1, 1);
        Assert.Equal(0.90625f, StabilityRegulariser.Value(clean, perturbed, 0.5).item<float>(), 6);
    }

    [Fact]
    public void ValueIsZeroForIdenticalInputsAndGrowsQuadraticallyWithThePerturbation()
    {
        using var scope = NewDisposeScope();
        var clean = randn(8, 4, 10, generator: new Generator(1));
        var direction = randn(8, 4, 10, generator: new Generator(2));
        Assert.Equal(0f, StabilityRegulariser.Value(clean, clean.clone(), 0.99).item<float>());
        float small = StabilityRegulariser.Value(clean, clean + direction * 0.1, 0.99).item<float>();
        float large = StabilityRegulariser.Value(clean, clean + direction * 0.2, 0.99).item<float>();
        Assert.True(small > 0);
        Assert.Equal(4.0, large / small, 3);
    }

    [Fact]
    public void GradientFlowsOnlyIntoThePerturbedRun()
    {
        using var scope = NewDisposeScope();
        var clean = ones(2, 1, 1).requires_grad_();
        var perturbed = zeros(2, 1, 1).requires_grad_();
        StabilityRegulariser.Value(clean, perturbed, 0.5).backward();
        Assert.Null(clean.grad);
        // V = (e1^2 + e2^2)/2 with e1 = 1 - p1, e2 = 0.5 e1 + 1 - p2 = 1.5 at p = 0:
        // dV/dp2 = -e2 = -1.5; dV/dp1 = -(e1 + 0.5 e2) = -1.75.
        Assert.Equal([-1.75f, -1.5f], perturbed.grad!.data<float>().ToArray());
    }
}
