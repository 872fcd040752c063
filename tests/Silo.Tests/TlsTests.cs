using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using StableSnn.Silo.Security;
using StableSnn.Silo.Storage;
using StableSnn.TestSupport;

namespace StableSnn.Silo.Tests;

/// <summary>
/// One real silo built by SiloHost with Tls:Enabled (SQLite, fake trainer, no slots), its certificate issued by a
/// test CA; the PKI is made in the test with CertificateRequest and written as PEM files.
/// </summary>
public sealed class TlsSiloFixture : IAsyncLifetime
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("stablesnn-tls-").FullName;
    public TestPki Pki { get; }
    public string ServiceId { get; } = TestSilo.UniqueId("tls");
    public string ClusterId { get; } = TestSilo.UniqueId("cl");
    public int GatewayPort { get; } = TestSilo.FreePort();
    public WebApplication Silo { get; private set; } = null!;
    /// <summary>Failed TLS handshakes the silo logged.</summary>
    public TlsLog Log { get; } = new();

    public TlsSiloFixture()
    {
        Pki = new TestPki(Dir);
        var ca = Pki.CreateCa("ca");
        Pki.Issue("cluster", ca, TestPki.ServerAuth, TestPki.ClientAuth); // what the silo presents
        Pki.Issue("client", ca, TestPki.ClientAuth);                       // what the CLI presents
        var otherCa = Pki.CreateCa("other-ca");
        Pki.Issue("other-client", otherCa, TestPki.ClientAuth);
        Pki.Issue("self-signed", issuer: null, TestPki.ClientAuth);
        Pki.Issue("server-only", ca, TestPki.ServerAuth); // right CA, but not for client authentication
        // The silo trusts two CAs (one PEM file with both): clients of the second one are served, but they must
        // trust the first to accept the silo's certificate.
        var secondCa = Pki.CreateCa("second-ca");
        Pki.Issue("second-client", secondCa, TestPki.ClientAuth);
        File.WriteAllText(Path.Combine(Dir, "trusted.crt"), File.ReadAllText(Pki.Crt("ca")) + File.ReadAllText(Pki.Crt("second-ca")));
    }

    /// <summary>SiloHost settings of a TLS silo in this fixture's folder (the ones the manifests set as Tls__X).</summary>
    public Dictionary<string, string?> Settings(string name) => new()
    {
        ["Storage:Provider"] = "sqlite",
        ["Storage:ConnectionString"] = $"Data Source={Path.Combine(Dir, name + ".db")}",
        ["Storage:ServiceId"] = ServiceId,
        ["Storage:ClusterId"] = ClusterId,
        ["Network:SiloPort"] = TestSilo.FreePort().ToString(),
        ["Network:GatewayPort"] = GatewayPort.ToString(),
        ["Node:Name"] = name,
        ["Node:Trainer"] = "fake",
        ["Node:CpuSlots"] = "0",
        ["Node:ArtifactRoot"] = Path.Combine(Dir, "artifacts"),
        ["Tls:Enabled"] = "true",
        ["Tls:CertificatePath"] = Pki.Crt("cluster"),
        ["Tls:KeyPath"] = Pki.Key("cluster"),
        ["Tls:CaPath"] = Path.Combine(Dir, "trusted.crt"),
    };

    public static WebApplication Build(Dictionary<string, string?> settings, ILoggerProvider? log = null) => SiloHost.Build([], builder =>
    {
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{TestSilo.FreePort()}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (log is not null) builder.Logging.AddProvider(log);
    });

    public async Task InitializeAsync()
    {
        Silo = Build(Settings("tls-silo"), Log);
        using var start = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Silo.StartAsync(start.Token);
    }

    public async Task DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await Silo.StopAsync(stop.Token);
        await Silo.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
    }
}

public sealed class TlsTests(TlsSiloFixture silo) : IClassFixture<TlsSiloFixture>
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(40); // connect + first call of a client that should be served

    TlsCredentials Credentials(string cert, string caFile) =>
        TlsCredentials.Load(silo.Pki.Crt(cert), silo.Pki.Key(cert), caFile, new TlsSettingNames("cert", "key", "ca"), server: false);

    // A certificate with its key, bypassing TlsCredentials' checks (which refuse a certificate its CA did not issue).
    X509Certificate2 Certificate(string name)
    {
        using var pem = X509Certificate2.CreateFromPemFile(silo.Pki.Crt(name), silo.Pki.Key(name));
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Starts a client of the fixture's gateway and makes one grain call. Served: null. Refused: the exception, or a
    /// TimeoutException when it is still trying (Orleans' client retries) 2 s after the TLS layer of
    /// <paramref name="refusedBy"/> logged a failed handshake; the test fails if none is logged within 20 s.
    /// </summary>
    async Task<Exception?> ConnectAndCall(Action<IClientBuilder> tls, Side? refusedBy = null)
    {
        var clientLog = new TlsLog();
        var serverFailures = silo.Log.Failures;
        int Refusals() => refusedBy == Side.Silo ? silo.Log.Failures - serverFailures : clientLog.Failures;
        var host = Host.CreateDefaultBuilder()
            .UseOrleansClient(client =>
            {
                client.UseLocalhostClustering(silo.GatewayPort, silo.ServiceId, silo.ClusterId);
                tls(client);
            })
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(clientLog))
            .Build();
        var attempt = Task.Run(async () =>
        {
            await host.StartAsync();
            var note = host.Services.GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>(Guid.NewGuid().ToString("N"));
            await note.Write("over tls");
            Assert.Equal("over tls", (await note.Read()).Text);
        });
        try
        {
            if (refusedBy is null)
            {
                await attempt.WaitAsync(Bound);
                Assert.Equal(serverFailures, silo.Log.Failures); // no failed handshake on the way
                return null;
            }
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (Refusals() == 0 && !attempt.IsCompleted && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(2)));
            Assert.True(Refusals() > 0, $"no failed TLS handshake logged by the {refusedBy}; client: {clientLog}; silo: {silo.Log}");
            return attempt.IsCompletedSuccessfully ? null : attempt.Exception?.GetBaseException() ?? new TimeoutException("still connecting");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            return e;
        }
        finally
        {
            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await host.StopAsync(stop.Token);
            }
            catch (Exception) { /* a client that never connected may not stop cleanly */ }
            host.Dispose();
        }
    }

    [Fact]
    public async Task A_client_with_a_certificate_from_the_cluster_ca_is_served()
    {
        var failure = await ConnectAndCall(c => c.UseStableSnnTls(Credentials("client", silo.Pki.Crt("ca"))));
        Assert.Null(failure);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        // TLS, trusting any server, but presenting no certificate.
        var failure = await ConnectAndCall(c => c.UseTls(o =>
        {
            o.ClientCertificateMode = RemoteCertificateMode.NoCertificate;
            o.AllowAnyRemoteCertificate();
        }), refusedBy: Side.Silo);
        Assert.NotNull(failure);
    }

    [Theory]
    [InlineData("other-client")] // issued by another CA
    [InlineData("self-signed")]
    public async Task A_client_with_a_certificate_from_another_ca_is_refused(string cert)
    {
        var certificate = Certificate(cert);
        var failure = await ConnectAndCall(c => c.UseTls(certificate, o => o.AllowAnyRemoteCertificate()), refusedBy: Side.Silo);
        Assert.NotNull(failure);
    }

    [Fact]
    public async Task A_client_without_tls_is_refused()
    {
        var failure = await ConnectAndCall(_ => { }, refusedBy: Side.Silo);
        Assert.NotNull(failure);
    }

    /// <summary>
    /// Below Orleans (whose client will not present a certificate without clientAuth): a bare TLS connection to the
    /// gateway. The silo closes it right after the handshake when it refuses the certificate, and keeps it open
    /// (waiting for Orleans' preamble) when it accepts it.
    /// </summary>
    async Task<bool> GatewayKeepsBareConnectionOpen(string cert)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, silo.GatewayPort);
        var certificate = Certificate(cert);
        await using var ssl = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true, (_, _, _, _, _) => certificate);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            return await ssl.ReadAsync(new byte[1], wait.Token) > 0;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && e.GetBaseException() is OperationCanceledException)
        {
            return true; // nothing to read for 3 s: still open
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_client_certificate_without_client_authentication_usage_is_refused()
    {
        Assert.True(await GatewayKeepsBareConnectionOpen("client"), "the gateway closed a connection with a good client certificate");
        var failures = silo.Log.Failures;
        Assert.False(await GatewayKeepsBareConnectionOpen("server-only"), "the gateway accepted a certificate without clientAuth");
        Assert.True(silo.Log.Failures > failures, $"no failed handshake logged by the silo: {silo.Log}");
    }

    [Fact]
    public async Task A_client_accepts_the_gateway_only_if_its_ca_issued_the_gateway_certificate()
    {
        // The silo trusts second-ca, so it accepts second-client; but a client trusting only second-ca refuses the
        // silo's certificate (issued by ca). With both CAs it connects: the refusal is the client's own check.
        var refused = await ConnectAndCall(c => c.UseStableSnnTls(Credentials("second-client", silo.Pki.Crt("second-ca"))), refusedBy: Side.Client);
        Assert.NotNull(refused);
        var served = await ConnectAndCall(c => c.UseStableSnnTls(Credentials("second-client", Path.Combine(silo.Dir, "trusted.crt"))));
        Assert.Null(served);
    }
}

public enum Side { Silo, Client }

/// <summary>Counts failed TLS handshakes logged by Orleans' TLS middleware (server or client side) of one host.</summary>
public sealed class TlsLog : ILoggerProvider
{
    readonly List<string> _lines = [];
    public int Failures { get { lock (_lines) return _lines.Count; } }
    public override string ToString() { lock (_lines) return string.Join(" | ", _lines); }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    sealed class Logger(TlsLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Orleans.Connections.Security.Tls{Server,Client}ConnectionMiddleware: "Authentication failed" with the SslStream exception.
            if (!category.StartsWith("Orleans.Connections.Security.Tls", StringComparison.Ordinal) || exception is null) return;
            lock (log._lines) log._lines.Add($"{category}: {exception.GetType().Name}: {exception.Message}");
        }
    }
}

/// <summary>Tls settings that cannot work stop the silo before it starts, with one message naming the setting.</summary>
public sealed class TlsSettingsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("stablesnn-tls-settings-").FullName;
    readonly TestPki _pki;

    public TlsSettingsTests()
    {
        _pki = new TestPki(_dir);
        var ca = _pki.CreateCa("ca");
        _pki.Issue("cluster", ca, TestPki.ServerAuth, TestPki.ClientAuth);
        _pki.Issue("client-only", ca, TestPki.ClientAuth);
        _pki.Issue("stranger", _pki.CreateCa("other-ca"), TestPki.ServerAuth, TestPki.ClientAuth);
    }

    Dictionary<string, string?> Good() => new()
    {
        ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_dir, "silo.db")}",
        ["Node:Trainer"] = "fake",
        ["Node:CpuSlots"] = "0",
        ["Tls:Enabled"] = "true",
        ["Tls:CertificatePath"] = _pki.Crt("cluster"),
        ["Tls:KeyPath"] = _pki.Key("cluster"),
        ["Tls:CaPath"] = _pki.Crt("ca"),
    };

    string Refusal(Action<Dictionary<string, string?>> change)
    {
        var settings = Good();
        change(settings);
        var e = Assert.Throws<TlsSetupException>(() => TlsSiloFixture.Build(settings));
        return e.Message;
    }

    [Fact]
    public void Good_settings_build_a_silo()
    {
        var app = TlsSiloFixture.Build(Good());
        Assert.NotNull(app);
    }

    [Theory]
    [InlineData("Tls:CertificatePath")]
    [InlineData("Tls:KeyPath")]
    [InlineData("Tls:CaPath")]
    public void Enabled_without_a_path_names_the_setting(string key)
    {
        var message = Refusal(s => s.Remove(key));
        Assert.StartsWith($"{key}: not set; give the PEM", message);
    }

    [Fact]
    public void A_missing_file_is_named_with_its_setting_and_path()
    {
        var missing = Path.Combine(_dir, "nope", "ca.crt");
        Assert.Equal($"Tls:CaPath: file {missing} not found; give the PEM certificate of the CA that issued the cluster's certificates (ca.crt)",
            Refusal(s => s["Tls:CaPath"] = missing));
    }

    [Fact]
    public void Files_of_the_wrong_kind_are_named()
    {
        Assert.StartsWith("Tls:CertificatePath: ", Refusal(s => s["Tls:CertificatePath"] = _pki.Key("cluster")));
        Assert.StartsWith("Tls:CaPath: ", Refusal(s => s["Tls:CaPath"] = _pki.Key("cluster")));
        Assert.StartsWith("Tls:KeyPath: ", Refusal(s => s["Tls:KeyPath"] = _pki.Key("client-only"))); // another certificate's key
        Assert.StartsWith("Tls:KeyPath: ", Refusal(s => s["Tls:KeyPath"] = _pki.Crt("cluster")));
        Assert.StartsWith("Tls:CaPath: ", Refusal(s => s["Tls:CaPath"] = _dir));
    }

    [Fact]
    public void A_certificate_the_ca_did_not_issue_or_without_server_auth_is_refused()
    {
        var stranger = Refusal(s => { s["Tls:CertificatePath"] = _pki.Crt("stranger"); s["Tls:KeyPath"] = _pki.Key("stranger"); });
        Assert.StartsWith("Tls:CertificatePath: certificate 'CN=stranger' is not issued by the CA in Tls:CaPath", stranger);
        var clientOnly = Refusal(s => { s["Tls:CertificatePath"] = _pki.Crt("client-only"); s["Tls:KeyPath"] = _pki.Key("client-only"); });
        Assert.StartsWith("Tls:CertificatePath: certificate 'CN=client-only' lacks the extended key usage serverAuth", clientOnly);
    }

    [Fact]
    public void Off_by_default_and_when_disabled_the_files_are_not_read()
    {
        Assert.False(new StableSnn.Silo.Security.TlsOptions().Enabled);
        var settings = Good();
        settings["Tls:Enabled"] = "false";
        settings["Tls:CaPath"] = Path.Combine(_dir, "nope.crt");
        Assert.NotNull(TlsSiloFixture.Build(settings));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>
/// Silo-to-silo TLS: silos sharing one SQLite membership table (ADO.NET clustering, as the SQLite membership test
/// does) with UseStableSnnTls. Two with certificates of the cluster's CA form a cluster and talk to each other; a
/// third whose certificate another CA issued is refused by them and cannot join.
/// </summary>
public sealed class TlsSiloToSiloTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("stablesnn-tls-silos-").FullName;
    readonly TestPki _pki;
    readonly string _connectionString;
    readonly string _serviceId = TestSilo.UniqueId("svc");
    readonly string _clusterId = TestSilo.UniqueId("cl");

    public TlsSiloToSiloTests()
    {
        _pki = new TestPki(_dir);
        var ca = _pki.CreateCa("ca");
        _pki.Issue("cluster", ca, TestPki.ServerAuth, TestPki.ClientAuth);
        _pki.Issue("intruder", _pki.CreateCa("other-ca"), TestPki.ServerAuth, TestPki.ClientAuth);
        // The intruder trusts the cluster's CA too: what keeps it out is the cluster refusing its certificate.
        File.WriteAllText(Path.Combine(_dir, "intruder-trusts.crt"), File.ReadAllText(_pki.Crt("ca")) + File.ReadAllText(_pki.Crt("other-ca")));
        _connectionString = $"Data Source={Path.Combine(_dir, "cluster.db")}";
    }

    IHost Silo(string cert, string caFile, TlsLog log) => Host.CreateDefaultBuilder()
        .UseOrleans(silo => silo
            .UseAdoNetClustering(o => { o.Invariant = "System.Data.SQLite"; o.ConnectionString = _connectionString; })
            .Configure<Orleans.Configuration.ClusterOptions>(o => { o.ServiceId = _serviceId; o.ClusterId = _clusterId; })
            .ConfigureEndpoints(System.Net.IPAddress.Loopback, TestSilo.FreePort(), TestSilo.FreePort())
            .AddStableSnnPersistence("sqlite", _connectionString)
            .UseStableSnnTls(new StableSnn.Silo.Security.TlsOptions(true, _pki.Crt(cert), _pki.Key(cert), caFile)))
        .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(log))
        .Build();

    [Fact]
    public async Task Two_silos_of_the_cluster_ca_form_a_cluster_and_one_of_another_ca_cannot_join()
    {
        await OrleansSchema.ApplyAsync("sqlite", _connectionString);
        var logA = new TlsLog();
        var a = Silo("cluster", _pki.Crt("ca"), logA);
        var b = Silo("cluster", _pki.Crt("ca"), new TlsLog());
        var intruder = Silo("intruder", Path.Combine(_dir, "intruder-trusts.crt"), new TlsLog());
        try
        {
            using (var start = new CancellationTokenSource(TimeSpan.FromMinutes(1))) await a.StartAsync(start.Token);
            using (var start = new CancellationTokenSource(TimeSpan.FromMinutes(1))) await b.StartAsync(start.Token);
            var management = a.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            var hosts = await WaitForActive(management, 2);
            // A asks each silo for its statistics: the call to B is a silo-to-silo message over TLS.
            var statistics = await management.GetRuntimeStatistics(hosts).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(2, statistics.Length);
            Assert.Equal(0, logA.Failures);

            // The intruder presents a certificate of another CA: the cluster's silos refuse it, so it cannot join.
            var joined = false;
            try
            {
                using var start = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await intruder.StartAsync(start.Token);
                joined = true;
            }
            catch (Exception) { /* refused: start failed or timed out */ }
            Assert.False(joined, "a silo whose certificate another CA issued joined the cluster");
            Assert.True(logA.Failures > 0, "silo A logged no refused TLS handshake");
            Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);
        }
        finally
        {
            foreach (var host in new[] { intruder, b, a })
            {
                try { await TestSilo.StopAsync(host); }
                catch (Exception) { host.Dispose(); /* the intruder never started */ }
            }
        }
    }

    static async Task<SiloAddress[]> WaitForActive(IManagementGrain management, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var hosts = await management.GetHosts(onlyActive: true);
            if (hosts.Count == count) return hosts.Keys.ToArray();
            Assert.True(DateTime.UtcNow < deadline, $"{hosts.Count} active silos, expected {count}");
            await Task.Delay(250);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
