using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StableSnn.Silo.Network;
using StableSnn.Silo.Nodes;
using StableSnn.Silo.Security;
using StableSnn.Silo.Storage;

namespace StableSnn.Client.Hosting;

/// <summary>
/// The CLI's way into the engine: a client of a running cluster (through its gateway), or, by default, an embedded
/// single-node silo in this process with SQLite state and CPU/GPU slots, so one machine needs nothing else.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    readonly IHost _host;

    ClusterConnection(IHost host, string description, string? artifactRoot)
    {
        _host = host;
        Description = description;
        ArtifactRoot = artifactRoot;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();
    public string Description { get; }
    /// <summary>Embedded only: where experiment artifacts are written.</summary>
    public string? ArtifactRoot { get; }

    public static async Task<ClusterConnection> Open(ClusterSettings settings, CancellationToken cancel = default)
    {
        return settings.Cluster is { } gateway ? await Connect(gateway, settings, cancel) : await StartEmbedded(settings, cancel);
    }

    static async Task<ClusterConnection> Connect(string gateway, ClusterSettings settings, CancellationToken cancel)
    {
        var endpoint = ParseEndpoint(gateway);
        var tls = ClusterTls.Load(settings);
        var builder = Host.CreateApplicationBuilder();
        CliLogging.Route(builder, settings);
        var ids = new ClusterIdWatch();
        builder.Logging.AddProvider(ids);
        builder.UseOrleansClient(client => client
            .UseStaticClustering(endpoint)
            .Configure<Orleans.Configuration.ClusterOptions>(o => { o.ServiceId = settings.ServiceId; o.ClusterId = settings.ClusterId; })
            .UseStableSnnTls(tls));
        var host = builder.Build();
        var refused = false;
        string? theirClusterId = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(ConnectTimeout);
            var start = host.StartAsync(timeout.Token);
            if (await Task.WhenAny(start, ids.Refused) != start)
            {
                // The gateway refused this client's ids: the client would only retry it until the timeout.
                (refused, theirClusterId) = (true, await ids.Refused);
                await timeout.CancelAsync();
                try { await start; } catch (OperationCanceledException) { } // cancelled, as asked
            }
            else await start;
        }
        catch (Exception e) when (e is OperationCanceledException or SiloUnavailableException or SocketException or OrleansException)
        {
            // Also when it timed out before the watch decided: the gateway answered, so it is not unreachable.
            if (ids.Refused.IsCompletedSuccessfully) theirClusterId ??= ids.Refused.Result;
            refused = refused || ids.Refused.IsCompletedSuccessfully || ids.ClosedAfterHandshake > 0;
            if (!refused)
            {
                host.Dispose();
                if (await ClusterTls.Diagnose(endpoint, settings, tls, cancel) is { } tlsProblem) throw new CliException($"{tlsProblem} (details: {CliLogging.LogFile(settings)})");
                throw new CliException($"cluster: cannot reach an Orleans gateway at {gateway} ({e.GetType().Name}); " +
                    $"check the address, that the silos are running and that --cluster-id '{settings.ClusterId}' and --service-id '{settings.ServiceId}' " +
                    $"are the silos' Storage__ClusterId and Storage__ServiceId, or omit --cluster to use the embedded silo (details: {CliLogging.LogFile(settings)})");
            }
        }
        if (refused)
        {
            host.Dispose();
            // A gateway with mutual TLS closes a plain or untrusted client's connections the same way: TLS is told first.
            if (theirClusterId is null && await ClusterTls.Diagnose(endpoint, settings, tls, cancel) is { } tlsProblem)
                throw new CliException($"{tlsProblem} (details: {CliLogging.LogFile(settings)})");
            throw new CliException(WrongClusterId(gateway, theirClusterId, settings));
        }
        return new ClusterConnection(host, $"cluster at {gateway}", null);
    }

    /// <summary>How long connecting to a cluster may take before it counts as unreachable.</summary>
    static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The error for a gateway that refused this client's ids: the ids this client used and, when the gateway's answer
    /// arrived before it closed the connection, the cluster's ClusterId.
    /// </summary>
    public static string WrongClusterId(string gateway, string? theirClusterId, ClusterSettings settings)
    {
        var used = $"this client used --cluster-id '{settings.ClusterId}' (with --service-id '{settings.ServiceId}')";
        var fix = theirClusterId is null
            ? "give the silos' Storage__ClusterId as --cluster-id"
            : $"give --cluster-id '{theirClusterId}' (the silos' Storage__ClusterId)";
        var what = theirClusterId is null
            ? $"cluster: the gateway at {gateway} answered but closed every connection during the Orleans handshake, as a gateway of another cluster does; {used}"
            : $"cluster: the gateway at {gateway} answered, but as cluster '{theirClusterId}', and {used}, so it refused the connection";
        return $"{what}: {fix} and --service-id as the silos' Storage__ServiceId (a client cannot learn that one from the gateway) " +
            $"(details: {CliLogging.LogFile(settings)})";
    }

    static async Task<ClusterConnection> StartEmbedded(ClusterSettings settings, CancellationToken cancel)
    {
        var dataDir = Path.GetFullPath(settings.DataDir);
        if (File.Exists(dataDir))
            throw new CliException($"--data-dir: '{dataDir}' is a file; give a directory for the embedded silo's state (it is created if missing)");
        try { Directory.CreateDirectory(dataDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--data-dir: cannot create '{dataDir}' ({e.Message}); give a writable directory");
        }
        if (!PortIsFree(settings.GatewayPort) || !PortIsFree(settings.SiloPort))
            throw new CliException($"an embedded silo (or something else) already uses ports {settings.SiloPort}/{settings.GatewayPort}; " +
                $"if it is another stablesnn run, connect to it with --cluster localhost:{settings.GatewayPort}, or pick other ports with --silo-port/--gateway-port");
        var artifacts = Path.Combine(dataDir, "artifacts");
        var builder = Host.CreateApplicationBuilder();
        CliLogging.Route(builder, settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:ArtifactRoot"] = artifacts,
            ["Node:CpuSlots"] = settings.CpuSlots?.ToString(),
            ["Node:ThreadsPerCpuSlot"] = settings.ThreadsPerSlot?.ToString(),
            // One node: an attempt cut off by a restart is found after 1.5 leases; keep that short (heartbeats every 5 s).
            ["Engine:LeaseDuration"] = "00:00:20",
        });
        builder.Configuration.AddEnvironmentVariables("STABLESNN_");
        builder.UseOrleans(silo => silo.UseStableSnnStorage(StorageOptions.SqliteIn(dataDir),
            new NetworkOptions(settings.SiloPort, settings.GatewayPort)));
        builder.Services.AddStableSnnNode(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(cancel);
        return new ClusterConnection(host, $"embedded silo, data in {dataDir}", artifacts);
    }

    static IPEndPoint ParseEndpoint(string gateway)
    {
        var parts = gateway.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], out var port) || port is <= 0 or > 65535)
            throw new CliException($"--cluster: '{gateway}' is not HOST:PORT (e.g. localhost:30000)");
        var address = parts[0] == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(parts[0], out var ip) ? ip
            : Dns.GetHostAddresses(parts[0]).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new CliException($"--cluster: cannot resolve host '{parts[0]}'");
        return new IPEndPoint(address, port);
    }

    static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
