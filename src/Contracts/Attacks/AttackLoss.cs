namespace StableSnn.Contracts;

/// <summary>Objective an attack ascends. DLR is scale-invariant, which makes it robust to logit rescaling.</summary>
public enum AttackLoss
{
    CE,
    DLR,
    /// <summary>
    /// Targeted DLR (AutoAttack's APGD-T): -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2), the target t one of the
    /// classes the model ranks highest on the clean image. Needs at least four classes.
    /// </summary>
    DlrTargeted,
}
