using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StableSnn.Silo.Security;

/// <summary>A TLS setting that cannot be used (missing, unreadable, wrong kind of file): the message names the setting and the fix.</summary>
public sealed class TlsSetupException(string message) : Exception(message);

/// <summary>How the three files are named to the user: configuration keys for the silo, options for the CLI.</summary>
public sealed record TlsSettingNames(string Certificate, string Key, string Ca)
{
    public static readonly TlsSettingNames Silo = new("Tls:CertificatePath", "Tls:KeyPath", "Tls:CaPath");
}

/// <summary>
/// This node's certificate and private key plus the CA it trusts, loaded from PEM files (the layout of a Kubernetes
/// TLS Secret with ca.crt); the CA signs the certificates directly (no intermediates are sent). A peer is accepted
/// when its chain builds to one of <see cref="Authorities"/> (custom root trust: the system store is never
/// consulted), it is within its validity period, and its extended key usage allows its role: client authentication
/// for whoever connects (CLI, another silo), server authentication for whoever is connected to. Host names are not
/// checked: silos are reached by pod IP, and the CA is meant for this cluster only.
/// </summary>
public sealed class TlsCredentials
{
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    TlsCredentials(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        Certificate = certificate;
        Authorities = authorities;
    }

    /// <summary>This node's certificate, with its private key (PKCS#12-backed, as SslStream on Linux needs for servers).</summary>
    public X509Certificate2 Certificate { get; }
    /// <summary>The trusted CA certificate(s).</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>
    /// Loads and checks the three files; any problem is a <see cref="TlsSetupException"/> naming the setting.
    /// <paramref name="server"/>: the certificate must also allow server authentication (a silo; a client needs only
    /// client authentication).
    /// </summary>
    public static TlsCredentials Load(string? certificatePath, string? keyPath, string? caPath, TlsSettingNames names, bool server)
    {
        ArgumentNullException.ThrowIfNull(names);
        var certFile = RequireFile(certificatePath, names.Certificate, "the PEM certificate this node presents (tls.crt)");
        var keyFile = RequireFile(keyPath, names.Key, "the PEM private key of that certificate (tls.key)");
        var caFile = RequireFile(caPath, names.Ca, "the PEM certificate of the CA that issued the cluster's certificates (ca.crt)");

        ReadPem(certFile, names.Certificate, "certificate (tls.crt)"); // a clear message before the pair is parsed
        var authorities = ReadPem(caFile, names.Ca, "CA certificate (ca.crt)");

        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // An ephemeral (PEM-imported) key cannot serve TLS on Linux: re-import as PKCS#12.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSetupException($"{names.Key}: {keyFile} is not a readable, unencrypted PEM private key of the certificate in " +
                $"{names.Certificate} ({e.Message}); give the key that belongs to that certificate (tls.key)");
        }

        var credentials = new TlsCredentials(certificate, authorities);
        credentials.CheckOwnCertificate(names, server);
        return credentials;
    }

    /// <summary>The chain policy peers are checked with: custom root trust in <see cref="Authorities"/>, no revocation lists.</summary>
    public X509ChainPolicy ChainPolicy(Oid? purpose)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(Authorities);
        if (purpose is not null) policy.ApplicationPolicy.Add(purpose);
        return policy;
    }

    /// <summary>
    /// The verdict on a peer's certificate as SslStream built its chain (with <see cref="ChainPolicy"/> set on the
    /// connection): no chain error, and the chain ends in one of our CA certificates. A host name mismatch is no error
    /// (see the class remarks).
    /// </summary>
    public bool Accepts(X509Certificate2? peer, X509Chain? chain, SslPolicyErrors errors)
    {
        if (peer is null || chain is null) return false;
        if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) != SslPolicyErrors.None) return false;
        // Belt and braces: the chain was built with our policy and ends in our CA, not in some system root.
        if (chain.ChainPolicy.TrustMode != X509ChainTrustMode.CustomRootTrust || chain.ChainElements.Count == 0) return false;
        return IsAuthority(chain.ChainElements[^1].Certificate);
    }

    /// <summary>Why a certificate is not accepted for <paramref name="purpose"/> (null: any), or null if it is (chain built here).</summary>
    public string? Problem(X509Certificate2 peer, X509Certificate2Collection? extra, Oid? purpose)
    {
        using var chain = new X509Chain { ChainPolicy = ChainPolicy(purpose) };
        if (extra is not null) chain.ChainPolicy.ExtraStore.AddRange(extra);
        if (chain.Build(peer) && chain.ChainElements.Count > 0 && IsAuthority(chain.ChainElements[^1].Certificate)) return null;
        var status = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
        return status.Count == 0 ? "its chain does not end in the CA" : string.Join(", ", status);
    }

    bool IsAuthority(X509Certificate2 certificate) =>
        Authorities.Any(a => a.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span));

    void CheckOwnCertificate(TlsSettingNames names, bool server)
    {
        var subject = Certificate.Subject;
        var now = DateTime.Now;
        if (Certificate.NotAfter < now)
            throw new TlsSetupException($"{names.Certificate}: certificate '{subject}' expired on {Certificate.NotAfter:yyyy-MM-dd HH:mm}; issue a new one");
        if (Certificate.NotBefore > now)
            throw new TlsSetupException($"{names.Certificate}: certificate '{subject}' is valid only from {Certificate.NotBefore:yyyy-MM-dd HH:mm}; check the clock or issue a new one");
        var usage = Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usage is not null)
        {
            var oids = usage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
            var needed = server ? new[] { ServerAuthentication, ClientAuthentication } : [ClientAuthentication];
            var missing = needed.Where(o => !oids.Contains(o.Value)).Select(o => o == ServerAuthentication ? "serverAuth" : "clientAuth").ToList();
            if (missing.Count > 0)
                throw new TlsSetupException($"{names.Certificate}: certificate '{subject}' lacks the extended key usage {string.Join(" and ", missing)}; " +
                    $"issue it with extendedKeyUsage = {(server ? "serverAuth, clientAuth" : "clientAuth")} (deploy/README.md, Mutual TLS)");
        }
        if (Problem(Certificate, extra: null, purpose: null) is { } problem)
            throw new TlsSetupException($"{names.Certificate}: certificate '{subject}' is not issued by the CA in {names.Ca} ({problem}); " +
                "give a certificate signed by that CA, or the CA that signed it");
    }

    static string RequireFile(string? path, string name, string what)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new TlsSetupException($"{name}: not set; give {what}");
        if (Directory.Exists(path))
            throw new TlsSetupException($"{name}: {path} is a directory; give {what}");
        if (!File.Exists(path))
            throw new TlsSetupException($"{name}: file {path} not found; give {what}");
        return path;
    }

    static X509Certificate2Collection ReadPem(string path, string name, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSetupException($"{name}: cannot read {path} as PEM ({e.Message}); give the PEM {what}");
        }
        if (certificates.Count == 0)
            throw new TlsSetupException($"{name}: {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the PEM {what}");
        return certificates;
    }
}
