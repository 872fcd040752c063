using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StableSnn.TestSupport;

/// <summary>
/// A throw-away PKI for TLS tests: CAs and leaf certificates made with CertificateRequest (ECDSA P-256), written as
/// PEM files (certificate NAME.crt, unencrypted PKCS#8 key NAME.key) the way a Kubernetes TLS Secret holds them.
/// </summary>
public sealed class TestPki(string directory)
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public string Directory { get; } = directory;

    /// <summary>A self-signed CA certificate (with its key), written to NAME.crt / NAME.key.</summary>
    public X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Write(name, ca, key);
        return ca;
    }

    /// <summary>
    /// A leaf certificate for localhost/127.0.0.1 issued by <paramref name="issuer"/> (null: self-signed) with the
    /// given extended key usages, written to NAME.crt / NAME.key.
    /// </summary>
    public X509Certificate2 Issue(string name, X509Certificate2? issuer, params Oid[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var eku = new OidCollection();
        foreach (var u in usages) eku.Add(u);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(eku, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        X509Certificate2 leaf;
        if (issuer is null)
        {
            leaf = request.CreateSelfSigned(notBefore, notAfter);
        }
        else
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            using var issued = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
            leaf = issued.CopyWithPrivateKey(key);
        }
        Write(name, leaf, key);
        return leaf;
    }

    public string Crt(string name) => Path.Combine(Directory, name + ".crt");
    public string Key(string name) => Path.Combine(Directory, name + ".key");

    void Write(string name, X509Certificate2 certificate, ECDsa key)
    {
        File.WriteAllText(Crt(name), certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Key(name), key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
