using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using StableSnn.Silo.Security;

namespace StableSnn.Client.Hosting;

/// <summary>
/// The CLI's side of mutual TLS with a cluster (--cluster only; the embedded silo never uses TLS): the client's
/// certificate, key and CA from --tls-cert/--tls-key/--tls-ca or STABLESNN_TLS_CERT/_KEY/_CA, and, when connecting
/// failed, whether the TLS handshake is why, told as one line with the cause and the fix.
/// </summary>
public static class ClusterTls
{
    public const string CertVariable = "STABLESNN_TLS_CERT";
    public const string KeyVariable = "STABLESNN_TLS_KEY";
    public const string CaVariable = "STABLESNN_TLS_CA";

    const string Options = "--tls-cert, --tls-key and --tls-ca";
    const string Guide = "deploy/README.md, Mutual TLS";

    /// <summary>The client's credentials, or null for no TLS. All three files or none; anything else is a CliException naming it.</summary>
    public static TlsCredentials? Load(ClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var names = Names(settings);
        var files = new (string Name, string? Path)[]
        {
            (names.Certificate, Pick(settings.TlsCert, CertVariable)),
            (names.Key, Pick(settings.TlsKey, KeyVariable)),
            (names.Ca, Pick(settings.TlsCa, CaVariable)),
        };
        var missing = files.Where(f => f.Path is null).Select(f => f.Name).ToList();
        if (missing.Count == files.Length) return null;
        if (missing.Count > 0)
            throw new CliException($"{string.Join(", ", missing)}: missing; {Options} go together (or {CertVariable}, {KeyVariable}, {CaVariable}): " +
                "give all three to connect to a cluster with mutual TLS, or none");
        try
        {
            return TlsCredentials.Load(files[0].Path, files[1].Path, files[2].Path, names, server: false);
        }
        catch (TlsSetupException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>
    /// After the Orleans client failed to connect: the TLS reason as one line (cause and fix), or null when TLS is not
    /// the reason or it cannot be told (unreachable, timed out). Opens one connection to the gateway for a TLS handshake
    /// only; nothing is sent over it.
    /// </summary>
    public static async Task<string?> Diagnose(IPEndPoint gateway, ClusterSettings settings, TlsCredentials? tls, CancellationToken cancel)
    {
        var at = $"cluster: the gateway at {settings.Cluster}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(gateway, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null; // not reachable: not a TLS matter
        }

        X509Certificate2? presented = null;
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true; // judged below with the CA; this connection carries nothing but the handshake
        });
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = gateway.Address.ToString(),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = tls is null ? null : new X509CertificateCollection { tls.Certificate },
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            if (presented is null) // no certificate came back: the gateway does not speak TLS
                return tls is null ? null : $"{at} does not answer TLS (TLS handshake failed): the cluster runs without it (Tls__Enabled is not true); " +
                    $"drop {Options} ({CertVariable}, {KeyVariable}, {CaVariable}) for this cluster, or turn TLS on in it ({Guide})";
            return tls is null ? RequiresTls(at) : Refused(at, tls); // refused inside the handshake (TLS 1.2)
        }
        if (tls is null) return RequiresTls(at);
        if (tls.Problem(presented!, extra: null, TlsCredentials.ServerAuthentication) is { } problem)
            return $"{at} presented certificate '{presented!.Subject}', not issued for servers by the CA in {Names(settings).Ca} ({problem}), " +
                $"so this client refused it (TLS handshake failed): give the CA certificate of that cluster (ca.crt of its Secret stablesnn-tls), or check --cluster ({Guide})";

        // TLS 1.3: the gateway judges this client's certificate after the handshake and, refusing it, closes the connection.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        wait.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            return await ssl.ReadAsync(new byte[1], wait.Token) == 0 ? Refused(at, tls) : null;
        }
        catch (Exception e) when (wait.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            return null; // still open: the gateway accepted this client, so TLS is not why connecting failed
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return Refused(at, tls);
        }
    }

    static string RequiresTls(string at) =>
        $"{at} requires mutual TLS (TLS handshake failed): give {Options} (or {CertVariable}, {KeyVariable}, {CaVariable}): " +
        $"a client certificate issued by the cluster's CA, its key and the CA certificate ({Guide})";

    static string Refused(string at, TlsCredentials tls) =>
        $"{at} refused this client's certificate '{tls.Certificate.Subject}' (TLS handshake failed): the cluster trusts another CA; " +
        $"use a client certificate (extended key usage clientAuth) issued by the CA of the cluster's Secret stablesnn-tls ({Guide})";

    static TlsSettingNames Names(ClusterSettings settings) => new(
        settings.TlsCert is null && Pick(null, CertVariable) is not null ? CertVariable : "--tls-cert",
        settings.TlsKey is null && Pick(null, KeyVariable) is not null ? KeyVariable : "--tls-key",
        settings.TlsCa is null && Pick(null, CaVariable) is not null ? CaVariable : "--tls-ca");

    static string? Pick(string? option, string variable)
    {
        var value = string.IsNullOrWhiteSpace(option) ? Environment.GetEnvironmentVariable(variable) : option;
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
