using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Training;

/// <summary>
/// SNN-RAT's weight step, applied after every optimiser step in AT+Reg: for each conv/linear weight viewed as
/// [out, rest], W &lt;- (1 + beta) W - beta W W^T W, which pulls W towards orthogonality (spectral norm near 1).
/// For linear layers with at least 200 outputs only a random 30% of rows are updated, to bound the cost.
/// </summary>
public static class OrthogonalityStep
{
    public const int PartialRowThreshold = 200;
    public const double PartialRowFraction = 0.3;

    /// <summary>The step on a [out, rest] matrix.</summary>
    public static Tensor Step(Tensor w, double beta)
    {
        using var scope = NewDisposeScope();
        var wwtw = w.matmul(w.t()).matmul(w);
        return (w * (1 + beta) - wwtw * beta).MoveToOuterDisposeScope();
    }

    public static void Apply(nn.Module model, double beta, Random rng)
    {
        using var _ = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            using var scope = NewDisposeScope();
            switch (module)
            {
                case Conv2d conv:
                    var cw = conv.weight!;
                    cw.copy_(Step(cw.flatten(1), beta).view_as(cw));
                    break;
                case Linear linear when linear.weight!.shape[0] >= PartialRowThreshold:
                    var lw = linear.weight!;
                    var rows = SampleRows(lw.shape[0], rng, lw.device);
                    lw.index_copy_(0, rows, Step(lw.index_select(0, rows), beta));
                    break;
                case Linear linear:
                    linear.weight!.copy_(Step(linear.weight!, beta));
                    break;
            }
        }
    }

    static Tensor SampleRows(long outputs, Random rng, Device device)
    {
        int count = (int)Math.Ceiling(outputs * PartialRowFraction);
        var all = Enumerable.Range(0, (int)outputs).Select(i => (long)i).ToArray();
        rng.Shuffle(all);
        return tensor(all[..count], device: device);
    }
}
