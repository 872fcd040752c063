namespace StableSnn.Contracts;

/// <summary>A sign of gradient masking (obfuscated gradients). Codes are stable identifiers; see <see cref="MaskingChecks"/>.</summary>
public sealed record MaskingFlag(string Code, string Message);
