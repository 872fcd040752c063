using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Per-example attack objectives (shape [B]); larger means more adversarial.</summary>
public static class AttackLosses
{
    /// <param name="targets">The target class of each example; only <see cref="AttackLoss.DlrTargeted"/> reads it.</param>
    public static Tensor PerExample(AttackLoss loss, Tensor logits, Tensor labels, Tensor? targets = null) => loss switch
    {
        AttackLoss.CE => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None),
        AttackLoss.DLR => Dlr(logits, labels),
        AttackLoss.DlrTargeted => DlrTargeted(logits, labels,
            targets ?? throw new ArgumentNullException(nameof(targets), "the targeted DLR loss needs a target class per example")),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>
    /// Untargeted difference-of-logits-ratio (Croce and Hein 2020):
    /// -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12), pi sorting the logits descending.
    /// Needs at least three classes.
    /// </summary>
    public static Tensor Dlr(Tensor logits, Tensor labels)
    {
        RequireClasses(logits, 3, "DLR");
        var zy = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var zOther = logits.masked_fill(LabelMask(logits, labels), float.NegativeInfinity).amax(new long[] { 1 });
        var sorted = logits.sort(1, descending: true).Values;
        var spread = sorted.select(1, 0) - sorted.select(1, 2) + 1e-12;
        return -(zy - zOther) / spread;
    }

    /// <summary>
    /// Targeted DLR (AutoAttack's APGD-T): -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12). Positive once the
    /// target's logit passes the true class's. Needs at least four classes.
    /// </summary>
    public static Tensor DlrTargeted(Tensor logits, Tensor labels, Tensor targets)
    {
        RequireClasses(logits, 4, "targeted DLR");
        var zy = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var zt = logits.gather(1, targets.unsqueeze(1)).squeeze(1);
        var sorted = logits.sort(1, descending: true).Values;
        var spread = sorted.select(1, 0) - (sorted.select(1, 2) + sorted.select(1, 3)) * 0.5 + 1e-12;
        return -(zy - zt) / spread;
    }

    /// <summary>
    /// The target of each example for its <paramref name="rank"/>-th targeted run: the class with the
    /// (<paramref name="rank"/> + 1)-th highest clean logit (rank 1: the runner-up), ties broken by the lower class
    /// index so the choice is reproducible.
    /// </summary>
    public static Tensor Targets(Tensor cleanLogits, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var order = cleanLogits.sort(1, descending: true, stable: true).Indices;
        return order.select(1, rank);
    }

    /// <summary>True at each example's label: [B, classes].</summary>
    internal static Tensor LabelMask(Tensor logits, Tensor labels)
    {
        var labelCol = labels.unsqueeze(1);
        return zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, labelCol, ones_like(labelCol, dtype: ScalarType.Bool));
    }

    static void RequireClasses(Tensor logits, int minimum, string loss)
    {
        var classes = logits.shape[1];
        if (classes < minimum)
            throw new ArgumentException($"the {loss} loss needs at least {minimum} classes, got {classes}.", nameof(logits));
    }
}
