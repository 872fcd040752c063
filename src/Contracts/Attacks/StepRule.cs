namespace StableSnn.Contracts;

/// <summary>How a gradient attack turns the gradient into a step inside the L-infinity ball.</summary>
public enum StepRule
{
    /// <summary>The sign of the gradient (PGD, AutoAttack's APGD).</summary>
    Sign,
    /// <summary>
    /// Stable adaptive step (in the spirit of SA-PGD, Wang et al. 2025): per coordinate, the bias-corrected running
    /// mean of the example's L1-normalised gradients over its running RMS, clipped to [-1, 1]. Coordinates whose
    /// surrogate gradient keeps its sign move a full step; ones whose sign flips from iteration to iteration (noise of
    /// an imprecise surrogate) move less.
    /// </summary>
    Stable,
}
