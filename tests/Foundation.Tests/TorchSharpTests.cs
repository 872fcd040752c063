using StableSnn.Contracts;
using StableSnn.Trainer.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Foundation.Tests;

public class TorchSharpTests
{
    [Fact]
    public void TestHostRunsUnderTcmalloc() =>
        Assert.True(Allocator.IsTcmallocLoaded(), "tests.runsettings should preload tcmalloc into the test host");

    [Fact]
    public void ConvolutionForwardAndBackwardMatchHandComputedValues()
    {
        using var scope = NewDisposeScope();
        // x = 1..9 as a 3x3 image; kernel [[1,2],[3,4]]; bias 0.5; no padding -> 2x2 output.
        var x = arange(1, 10, dtype: float32).reshape(1, 1, 3, 3).requires_grad_();
        var w = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2).requires_grad_();
        var b = tensor(new float[] { 0.5f }).requires_grad_();

        var y = nn.functional.conv2d(x, w, b);
        y.sum().backward();

        // y[i,j] = sum_ab w[a,b] x[i+a, j+b] + 0.5
        Assert.Equal(new float[] { 37.5f, 47.5f, 67.5f, 77.5f }, y.data<float>().ToArray());
        // dL/dw[a,b] = sum of the 2x2 window of x starting at (a,b)
        Assert.Equal(new float[] { 12, 16, 24, 28 }, w.grad!.data<float>().ToArray());
        Assert.Equal(4f, b.grad!.item<float>());
        // dL/dx[i,j] = sum of the kernel entries that touch (i,j)
        Assert.Equal(new float[] { 1, 3, 2, 4, 10, 6, 3, 7, 4 }, x.grad!.data<float>().ToArray());
    }
}
