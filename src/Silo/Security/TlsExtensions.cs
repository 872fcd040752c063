using System.Net.Security;
using Orleans.Connections.Security;
using OrleansTls = Orleans.Connections.Security.TlsOptions;

namespace StableSnn.Silo.Security;

/// <summary>Mutual TLS through Microsoft.Orleans.Connections.Security, with the checks of <see cref="TlsCredentials"/>.</summary>
public static class TlsExtensions
{
    /// <summary>
    /// When <see cref="TlsOptions.Enabled"/>: silo-to-silo and gateway connections are TLS; the silo presents its
    /// certificate and requires one from every peer (other silos and clients), accepted only if issued by the CA.
    /// The files are loaded here, so a bad setting fails the silo's start with a <see cref="TlsSetupException"/>.
    /// </summary>
    public static ISiloBuilder UseStableSnnTls(this ISiloBuilder silo, TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled) return silo;
        var credentials = TlsCredentials.Load(options.CertificatePath, options.KeyPath, options.CaPath, TlsSettingNames.Silo, server: true);
        return silo.UseTls(tls => Configure(tls, credentials));
    }

    /// <summary>A client that presents its certificate and accepts a gateway only if issued by the CA; null: no TLS.</summary>
    public static IClientBuilder UseStableSnnTls(this IClientBuilder client, TlsCredentials? credentials)
    {
        if (credentials is null) return client;
        return client.UseTls(tls => Configure(tls, credentials));
    }

    static void Configure(OrleansTls tls, TlsCredentials credentials)
    {
        tls.LocalCertificate = credentials.Certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate; // peers (silos, clients) must present one
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate; // and so do we when we connect
        tls.CheckCertificateRevocation = false; // a private CA publishes no revocation lists
        tls.RemoteCertificateValidation = credentials.Accepts;
        // The chain of whoever connects to us must allow client authentication; of whoever we connect to, server
        // authentication (SslStream adds the same rule on Linux; stated here so it does not depend on that).
        tls.OnAuthenticateAsServer = (_, o) =>
            ((SslServerAuthenticationOptions)o.SslServerAuthenticationOptions).CertificateChainPolicy = credentials.ChainPolicy(TlsCredentials.ClientAuthentication);
        tls.OnAuthenticateAsClient = (_, o) =>
            ((SslClientAuthenticationOptions)o.SslClientAuthenticationOptions).CertificateChainPolicy = credentials.ChainPolicy(TlsCredentials.ServerAuthentication);
    }
}
