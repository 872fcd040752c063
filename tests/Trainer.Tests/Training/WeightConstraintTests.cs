using StableSnn.Trainer.Training;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Training;

public class WeightConstraintTests
{
    [Fact]
    public void OrthogonalityStepShrinksLargeSingularValuesTowardsOne()
    {
        using var scope = NewDisposeScope();
        // W = diag(2, 1), beta 0.1: 1.1 W - 0.1 diag(8, 1) = diag(1.4, 1.0).
        var w = tensor(new float[] { 2, 0, 0, 1 }).reshape(2, 2);
        Assert.Equal([1.4f, 0f, 0f, 1f], OrthogonalityStep.Step(w, 0.1).data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        // Rectangular [1, 1]: W W^T W = [2, 2]; 1.1 [1, 1] - 0.2 [1, 1] = [0.9, 0.9].
        var row = tensor(new float[] { 1, 1 }).reshape(1, 2);
        Assert.Equal([0.9f, 0.9f], OrthogonalityStep.Step(row, 0.1).data<float>().ToArray().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void OrthogonalityStepLeavesAnOrthogonalMatrixUnchanged()
    {
        using var scope = NewDisposeScope();
        float c = MathF.Cos(0.3f), s = MathF.Sin(0.3f);
        var rotation = tensor(new[] { c, -s, s, c }).reshape(2, 2);
        Assert.True(OrthogonalityStep.Step(rotation, 0.004).allclose(rotation, atol: 1e-6));
    }

    [Fact]
    public void WideLinearLayersUpdateOnlyThirtyPercentOfRows()
    {
        using var scope = NewDisposeScope();
        var wide = nn.Linear(4, 250);
        var narrow = nn.Linear(4, 10);
        var model = nn.Sequential(("wide", wide), ("narrow", narrow));
        var wideBefore = wide.weight!.clone();
        var narrowBefore = narrow.weight!.clone();

        OrthogonalityStep.Apply(model, 0.01, new Random(3));

        var changedRows = wide.weight!.ne(wideBefore).any(1).sum().item<long>();
        Assert.Equal(75, changedRows); // ceil(250 * 0.3)
        Assert.Equal(10, narrow.weight!.ne(narrowBefore).any(1).sum().item<long>());
    }

    [Theory]
    [InlineData(new float[] { 0.5f, 0.5f }, new float[] { 0.5f, 0.5f })]
    [InlineData(new float[] { 2f, 0f }, new float[] { 1f, 0f })]
    [InlineData(new float[] { 0.7f, 0.6f }, new float[] { 0.55f, 0.45f })]
    [InlineData(new float[] { -1f, 0.2f, 0.4f }, new float[] { 0f, 0.4f, 0.6f })]
    public void SimplexProjectionMatchesHandComputedPoints(float[] v, float[] expected) =>
        Assert.Equal(expected, SimplexProjection.Project(v).Select(x => MathF.Round(x, 5)));
}
