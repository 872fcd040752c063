namespace StableSnn.Contracts;

/// <summary>
/// A sign of gradient masking (obfuscated gradients). Codes are stable identifiers (the trainer's MaskingChecks);
/// the message names the numbers that tripped the check.
/// </summary>
public sealed record MaskingFlag(string Code, string Message)
{
    /// <summary>The epsilon the check concerns; null when it concerns the whole suite.</summary>
    public float? Epsilon { get; init; }
}
