using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Models;

/// <summary>
/// Attack-time copies of a trained network. In eval mode batch norm is the fixed affine map
/// y = gamma * (x - mean) / sqrt(var + eps) + beta, so a Conv2d followed directly by a BatchNorm2d equals one Conv2d
/// with w' = w * s and b' = beta + (b - mean) * s, s = gamma / sqrt(var + eps). Also, the layers before the first
/// spiking layer see the same image at all T steps (direct encoding), so the copy runs them once per image and
/// repeats their output over T. Same function, fewer operations; the trained model is never changed.
/// The results agree up to float rounding (a different summation order), which could in principle move a membrane
/// potential across the threshold and flip a spike; the tests check that on their models it does not.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// A folded copy of <paramref name="trained"/> in eval mode, built by <paramref name="build"/> (the same
    /// architecture, freshly constructed) and loaded with the trained weights and running statistics.
    /// </summary>
    public static SpikingNetwork AttackCopy(SpikingNetwork trained, Func<SpikingNetwork> build, bool onceOverTime = true)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var copy = build();
        copy.load_state_dict(trained.state_dict());
        // eps is not in the state dictionary, and the fold depends on it.
        var norms = trained.modules().OfType<BatchNorm2d>().ToList();
        var copies = copy.modules().OfType<BatchNorm2d>().ToList();
        if (norms.Count != copies.Count) throw new ArgumentException("build made a different architecture from the trained network's");
        for (var i = 0; i < norms.Count; i++) copies[i].eps = norms[i].eps;
        var device = trained.parameters().First().device;
        copy.to(device);
        return Fold(copy, onceOverTime);
    }

    /// <summary>
    /// Folds <paramref name="model"/>, which the caller gives up: the result reuses its layers (folded in place) and
    /// owns them from now on. Only for evaluation: its parameters are frozen (no gradient).
    /// </summary>
    /// <param name="onceOverTime">Run the layers before the first spiking layer once per image (off only to measure what it saves).</param>
    public static SpikingNetwork Fold(SpikingNetwork model, bool onceOverTime = true)
    {
        model.eval();
        var layers = new List<nn.Module<Tensor, Tensor>>();
        using (no_grad())
        {
            var flat = Flatten(model.Body).ToList();
            for (var i = 0; i < flat.Count; i++)
            {
                switch (flat[i])
                {
                    case Conv2d conv when i + 1 < flat.Count && flat[i + 1] is BatchNorm2d bn:
                        FoldInto(conv, bn);
                        bn.Dispose();
                        layers.Add(conv);
                        i++;
                        break;
                    case ConvexResidualBlock block:
                        block.FoldBatchNorm();
                        layers.Add(block);
                        break;
                    default:
                        layers.Add(flat[i]);
                        break;
                }
            }
        }
        var stemLength = onceOverTime ? layers.TakeWhile(IsTimeInvariant).Count() : 0;
        var stem = stemLength == 0 ? null : Sequence(layers.Take(stemLength));
        var folded = new SpikingNetwork(model.GetName(), stem, Sequence(layers.Skip(stemLength)), model.TimeSteps,
            model.ChannelMean, model.ChannelStd);
        folded.to(model.parameters().First().device);
        folded.eval();
        // Attacks differentiate to the input only. Parameters that require grad make every query keep what a weight
        // gradient would need (with DLIF gains, the fused neuron saves its membrane even under no_grad) and every
        // backward compute those gradients; frozen, the input gradient is the same and cheaper.
        foreach (var p in folded.parameters()) p.requires_grad_(false);
        return folded;
    }

    /// <summary>Replaces <paramref name="conv"/>'s weight and bias by those of conv followed by <paramref name="bn"/> in eval mode.</summary>
    internal static void FoldInto(Conv2d conv, BatchNorm2d bn)
    {
        if (bn.running_mean is null || bn.running_var is null)
            throw new ArgumentException($"batch norm '{bn.GetName()}' keeps no running statistics, so it is not a fixed map to fold");
        using var _ = no_grad();
        conv.bias ??= nn.Parameter(zeros(conv.out_channels, conv.weight.dtype, conv.weight.device), requires_grad: false);
        using var scope = NewDisposeScope();
        // In double, then rounded once: the folded weights are as close to the exact product as float allows.
        var scale = bn.running_var.to(ScalarType.Float64).add(bn.eps).rsqrt();
        if (bn.weight is not null) scale = scale * bn.weight.to(ScalarType.Float64);
        var shift = bn.bias?.to(ScalarType.Float64) ?? zeros_like(scale);
        var bias = conv.bias.to(ScalarType.Float64);
        var weight = conv.weight.to(ScalarType.Float64) * scale.reshape(-1, 1, 1, 1);
        var newBias = shift + (bias - bn.running_mean.to(ScalarType.Float64)) * scale;
        var dtype = conv.weight.dtype;
        conv.weight.copy_(weight.to(dtype));
        conv.bias.copy_(newBias.to(dtype));
    }

    /// <summary>Per image and without state over time: convolutions and pooling (BN is folded away by then).</summary>
    static bool IsTimeInvariant(nn.Module<Tensor, Tensor> layer) =>
        layer is Conv2d or AvgPool2d or MaxPool2d or BatchNorm2d;

    static IEnumerable<nn.Module<Tensor, Tensor>> Flatten(nn.Module<Tensor, Tensor> module)
    {
        if (module is Sequential sequential)
        {
            foreach (var (_, child) in sequential.named_children())
                foreach (var leaf in Flatten((nn.Module<Tensor, Tensor>)child))
                    yield return leaf;
        }
        else
        {
            yield return module;
        }
    }

    static Sequential Sequence(IEnumerable<nn.Module<Tensor, Tensor>> layers) =>
        nn.Sequential(layers.Select((layer, i) => ($"{i}", layer)).ToArray());
}
