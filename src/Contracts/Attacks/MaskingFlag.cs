namespace StableSnn.Contracts;

/// <summary>
/// What a check of the evaluation found (the trainer's MaskingChecks). Codes are stable identifiers; the message names
/// the numbers (and, for comparisons of two attacks, the paired counts and p-value) that tripped the check.
/// </summary>
public sealed record MaskingFlag(string Code, string Message)
{
    /// <summary>The epsilon the check concerns; null when it concerns the whole suite.</summary>
    public float? Epsilon { get; init; }

    /// <summary>
    /// A finding that does not doubt the headline (e.g. by how much the paper's FGSM/PGD overstate the worst case):
    /// it marks the attacks it names unreliable but does not make the result suspect. False (the default, and what
    /// every flag of results written before it meant): the headline itself is in doubt.
    /// </summary>
    public bool Informative { get; init; }

    /// <summary>The attacks whose numbers this finding puts in doubt (marked unreliable wherever they are shown).</summary>
    public IReadOnlyList<string> Doubts { get; init; } = [];
}
