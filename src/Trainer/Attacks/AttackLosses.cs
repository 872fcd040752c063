using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Per-example attack objectives (shape [B]); larger means more adversarial.</summary>
public static class AttackLosses
{
    public static Tensor PerExample(AttackLoss loss, Tensor logits, Tensor labels) => loss switch
    {
        AttackLoss.CE => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None),
        AttackLoss.DLR => Dlr(logits, labels),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>
    /// Untargeted difference-of-logits-ratio (Croce and Hein 2020):
    /// -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12), pi sorting the logits descending.
    /// Needs at least three classes.
    /// </summary>
    public static Tensor Dlr(Tensor logits, Tensor labels)
    {
        var classes = logits.shape[1];
        if (classes < 3)
            throw new ArgumentException($"DLR needs at least 3 classes, got {classes}.", nameof(logits));
        var labelCol = labels.unsqueeze(1);
        var zy = logits.gather(1, labelCol).squeeze(1);
        // Mask the true class with -inf so the max runs over the other classes only.
        var isLabel = zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, labelCol, ones_like(labelCol, dtype: ScalarType.Bool));
        var zOther = logits.masked_fill(isLabel, float.NegativeInfinity).amax(new long[] { 1 });
        var sorted = logits.sort(1, descending: true).Values;
        var spread = sorted.select(1, 0) - sorted.select(1, 2) + 1e-12;
        return -(zy - zOther) / spread;
    }
}
