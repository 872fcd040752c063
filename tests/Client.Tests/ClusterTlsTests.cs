using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Client.Tests;

/// <summary>
/// A real silo with mutual TLS (SiloHost, Tls:Enabled, SQLite, fake trainer, no slots) in the test process, the real
/// stablesnn executable connecting to it with --cluster. The silo trusts two CAs (ca, second-ca); its own certificate
/// is issued by ca.
/// </summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    public TempDirectory Work { get; } = new();
    public TestPki Pki { get; }
    public int GatewayPort { get; } = InProcessSilo.FreePort();
    WebApplication _silo = null!;

    public TlsClusterFixture()
    {
        Pki = new TestPki(Work.Path);
        var ca = Pki.CreateCa("ca");
        Pki.Issue("cluster", ca, TestPki.ServerAuth, TestPki.ClientAuth);
        Pki.Issue("client", ca, TestPki.ClientAuth);
        Pki.Issue("stranger", Pki.CreateCa("other-ca"), TestPki.ClientAuth);
        Pki.Issue("second-client", Pki.CreateCa("second-ca"), TestPki.ClientAuth);
        File.WriteAllText(Work.File("trusted.crt"), File.ReadAllText(Pki.Crt("ca")) + File.ReadAllText(Pki.Crt("second-ca")));
        // A client that trusts the cluster's CA (and its own), whose certificate the cluster does not trust.
        File.WriteAllText(Work.File("stranger-trusts.crt"), File.ReadAllText(Pki.Crt("ca")) + File.ReadAllText(Pki.Crt("other-ca")));
    }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public async Task InitializeAsync() =>
        // The CLI connects with ServiceId "stablesnn", ClusterId "default" (the defaults).
        _silo = await InProcessSilo.StartAsync(Work, GatewayPort, "tls-node", new Dictionary<string, string?>
        {
            ["Tls:Enabled"] = "true",
            ["Tls:CertificatePath"] = Pki.Crt("cluster"),
            ["Tls:KeyPath"] = Pki.Key("cluster"),
            ["Tls:CaPath"] = Work.File("trusted.crt"),
        });

    public Task DisposeAsync() => InProcessSilo.StopAsync(_silo, Work);
}

public sealed class ClusterTlsTests(TlsClusterFixture cluster, ITestOutputHelper log) : IClassFixture<TlsClusterFixture>
{
    string[] Tls(string cert, string ca) => ["--tls-cert", cluster.Pki.Crt(cert), "--tls-key", cluster.Pki.Key(cert), "--tls-ca", ca];

    static void AssertOneErrorLine(int exit, string output, string expected)
    {
        Assert.True(exit == 2, $"exit {exit}: {output}");
        Assert.Contains(expected, output);
        Assert.DoesNotContain("   at ", output); // no stack trace
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_client_certificate_from_the_cluster_ca_lists_sweeps_given_as_options_or_environment()
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, ["list", "--cluster", cluster.Gateway, "--data-dir", "state", .. Tls("client", cluster.Pki.Crt("ca"))]);
        Assert.True(exit == 0, output);

        var environment = new Dictionary<string, string>
        {
            ["STABLESNN_TLS_CERT"] = cluster.Pki.Crt("client"),
            ["STABLESNN_TLS_KEY"] = cluster.Pki.Key("client"),
            ["STABLESNN_TLS_CA"] = cluster.Pki.Crt("ca"),
        };
        (exit, output) = CliProcess.Run(work.Path, environment, "list", "--cluster", cluster.Gateway, "--data-dir", "state");
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void Tls_options_go_together()
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, "list", "--cluster", cluster.Gateway, "--data-dir", "state", "--tls-cert", cluster.Pki.Crt("client"));
        AssertOneErrorLine(exit, output, "--tls-key, --tls-ca: missing; --tls-cert, --tls-key and --tls-ca go together");

        var environment = new Dictionary<string, string> { ["STABLESNN_TLS_KEY"] = cluster.Pki.Key("client") };
        (exit, output) = CliProcess.Run(work.Path, environment, "list", "--cluster", cluster.Gateway, "--data-dir", "state", "--tls-ca", cluster.Pki.Crt("ca"));
        AssertOneErrorLine(exit, output, "--tls-cert: missing;");

        (exit, output) = CliProcess.Run(work.Path, ["list", "--cluster", cluster.Gateway, "--data-dir", "state", .. Tls("client", work.File("nope.crt"))]);
        AssertOneErrorLine(exit, output, $"--tls-ca: file {work.File("nope.crt")} not found");
    }

    /// <summary>Each way a handshake fails is one error line with its cause and fix (run side by side: each waits out the client's connect timeout).</summary>
    [Fact]
    public async Task Tls_handshake_failures_are_one_line_with_the_cause_and_the_fix()
    {
        using var work = new TempDirectory();
        // A gateway that speaks no TLS: accepts connections and closes them.
        using var plain = new TcpListener(IPAddress.Loopback, 0);
        plain.Start();
        var plainGateway = $"127.0.0.1:{((IPEndPoint)plain.LocalEndpoint).Port}";
        using var stopPlain = new CancellationTokenSource();
        var closer = Task.Run(async () =>
        {
            while (!stopPlain.IsCancellationRequested)
            {
                try { (await plain.AcceptTcpClientAsync(stopPlain.Token)).Dispose(); }
                catch (OperationCanceledException) { return; }
            }
        });

        var cases = new (string Name, string[] Args, string Expected)[]
        {
            ("no TLS options", [], $"cluster: the gateway at {cluster.Gateway} requires mutual TLS (TLS handshake failed): give --tls-cert, --tls-key and --tls-ca"),
            ("certificate of another CA", Tls("stranger", cluster.Work.File("stranger-trusts.crt")),
                $"cluster: the gateway at {cluster.Gateway} refused this client's certificate 'CN=stranger' (TLS handshake failed)"),
            ("gateway of another CA", Tls("second-client", cluster.Pki.Crt("second-ca")),
                $"cluster: the gateway at {cluster.Gateway} presented certificate 'CN=cluster', not issued for servers by the CA in --tls-ca (PartialChain), so this client refused it"),
        };
        var runs = cases.Select(c => Task.Run(() => (c.Name, c.Expected,
            Result: CliProcess.Run(work.Path, ["list", "--cluster", cluster.Gateway, "--data-dir", "state-" + c.Name.Replace(' ', '-'), .. c.Args]))))
            .Append(Task.Run(() => ("gateway without TLS", $"cluster: the gateway at {plainGateway} does not answer TLS (TLS handshake failed)",
                Result: CliProcess.Run(work.Path, ["list", "--cluster", plainGateway, "--data-dir", "state-plain", .. Tls("client", cluster.Pki.Crt("ca"))]))))
            .ToList();
        foreach (var (name, expected, (exit, output)) in await Task.WhenAll(runs))
        {
            log.WriteLine($"{name}: exit {exit}: {output}");
            try { AssertOneErrorLine(exit, output, expected); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"{name}: {e.Message}\n--- output ---\n{output}"); }
            Assert.Contains("(details: ", output);
        }
        stopPlain.Cancel();
        await closer;
    }
}
