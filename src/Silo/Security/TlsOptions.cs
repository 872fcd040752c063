namespace StableSnn.Silo.Security;

/// <summary>
/// Mutual TLS for silo-to-silo and client-to-gateway connections (configuration section "Tls"; environment
/// variables <c>Tls__Enabled</c>, ...). Off by default; the CLI's embedded silo never turns it on.
/// </summary>
/// <param name="Enabled">true: every connection is TLS, both ends present a certificate issued by the CA.</param>
/// <param name="CertificatePath">PEM certificate this silo presents (tls.crt), issued by the CA in <paramref name="CaPath"/>.</param>
/// <param name="KeyPath">Unencrypted PEM private key of that certificate (tls.key).</param>
/// <param name="CaPath">PEM certificate(s) of the CA that issued the certificates this silo trusts (ca.crt).</param>
public sealed record TlsOptions(
    bool Enabled = false,
    string? CertificatePath = null,
    string? KeyPath = null,
    string? CaPath = null)
{
    /// <summary>Configuration section of these settings.</summary>
    public const string Section = "Tls";
}
