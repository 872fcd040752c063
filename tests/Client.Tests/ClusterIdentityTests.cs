using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Client.Tests;

/// <summary>A real silo (SiloHost, SQLite, fake trainer, no slots) with its own ClusterId and ServiceId, in the test process.</summary>
public sealed class IdentifiedClusterFixture : IAsyncLifetime
{
    public const string ClusterId = "faults-cluster";
    public const string ServiceId = "faults-service";
    public TempDirectory Work { get; } = new();
    public int GatewayPort { get; } = InProcessSilo.FreePort();
    WebApplication _silo = null!;

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public async Task InitializeAsync() =>
        _silo = await InProcessSilo.StartAsync(Work, GatewayPort, "identity-node", new Dictionary<string, string?>
        {
            ["Storage:ClusterId"] = ClusterId,
            ["Storage:ServiceId"] = ServiceId,
        });

    public Task DisposeAsync() => InProcessSilo.StopAsync(_silo, Work);
}

/// <summary>A client whose ClusterId is not the cluster's is told so at once, not reported as an unreachable cluster.</summary>
public sealed class ClusterIdentityTests(IdentifiedClusterFixture cluster, ITestOutputHelper log) : IClassFixture<IdentifiedClusterFixture>
{
    [Fact]
    public void The_right_ids_list_the_clusters_sweeps()
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, "list", "--cluster", cluster.Gateway, "--data-dir", "state",
            "--cluster-id", IdentifiedClusterFixture.ClusterId, "--service-id", IdentifiedClusterFixture.ServiceId);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void A_wrong_cluster_id_is_one_error_line_naming_the_ids_used_and_the_clusters()
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, "list", "--cluster", cluster.Gateway, "--data-dir", "state",
            "--cluster-id", "wrong-cluster", "--service-id", "some-service");
        log.WriteLine($"exit {exit}: {output}");
        Assert.True(exit == 2, $"exit {exit}: {output}");
        // The gateway closes the connection once it has compared the ids, often before its answer (with its own
        // ClusterId) is read: the error names the cluster's id when it arrived, and always the ids this client used.
        Assert.Contains($"cluster: the gateway at {cluster.Gateway} answered", output);
        Assert.Contains("this client used --cluster-id 'wrong-cluster' (with --service-id 'some-service')", output);
        Assert.True(output.Contains($"as cluster '{IdentifiedClusterFixture.ClusterId}'", StringComparison.Ordinal)
            || output.Contains("closed every connection during the Orleans handshake", StringComparison.Ordinal), output);
        Assert.DoesNotContain("cannot reach", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains(work.File("state/logs/stablesnn.log"), output);
    }

    [Fact]
    public async Task A_wrong_cluster_id_fails_on_the_gateways_first_answer_not_at_the_connect_timeout()
    {
        using var work = new TempDirectory();
        var settings = new StableSnn.Client.Hosting.ClusterSettings
        {
            Cluster = cluster.Gateway, ClusterId = "wrong-cluster", ServiceId = IdentifiedClusterFixture.ServiceId, DataDir = work.File("state"),
        };
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StableSnn.Client.Hosting.CliException>(() => StableSnn.Client.Hosting.ClusterConnection.Open(settings));
        watch.Stop();
        log.WriteLine($"{watch.Elapsed.TotalSeconds:F1} s: {error.Message}");
        Assert.Contains("this client used --cluster-id 'wrong-cluster'", error.Message);
        Assert.DoesNotContain("cannot reach", error.Message);
        // An unreachable cluster is given 15 s; a gateway that answers with another ClusterId needs no more than one answer.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(12), $"took {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Orleans_mismatch_errors_are_read_and_others_are_not()
    {
        var watch = StableSnn.Client.Hosting.ClusterIdWatch.GatewayClusterId;
        Assert.Equal("theirs", watch(new InvalidOperationException("Unexpected cluster id \"theirs\", expected \"ours\"")));
        Assert.Equal("theirs", watch(new AggregateException(new TimeoutException(), new InvalidOperationException("Unexpected cluster id \"theirs\", expected \"ours\""))));
        Assert.Null(watch(new InvalidOperationException("Connection terminated prematurely")));
        Assert.Null(watch(new ArgumentException("Unexpected cluster id \"theirs\", expected \"ours\"")));
        Assert.Null(watch(null));

        var closed = StableSnn.Client.Hosting.ClusterIdWatch.IsClosedDuringHandshake;
        Assert.True(closed(new InvalidOperationException("Connection terminated prematurely")));
        Assert.True(closed(new Exception("outer", new Microsoft.AspNetCore.Connections.ConnectionAbortedException("Underlying connection closed"))));
        Assert.False(closed(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
    }

    [Fact]
    public async Task The_watch_decides_on_the_clusters_id_at_once_and_on_closed_connections_after_two_attempts()
    {
        using (var watch = new StableSnn.Client.Hosting.ClusterIdWatch())
        {
            var logger = watch.CreateLogger("Orleans.Runtime.Messaging.ConnectionManager");
            logger.LogWarning(new InvalidOperationException("Unexpected cluster id \"theirs\", expected \"ours\""), "Connection attempt failed");
            Assert.Equal("theirs", await watch.Refused.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        using (var watch = new StableSnn.Client.Hosting.ClusterIdWatch())
        {
            var logger = watch.CreateLogger("Orleans.Runtime.Messaging.ConnectionManager");
            logger.LogWarning(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused), "Connection attempt failed");
            logger.LogInformation(new InvalidOperationException("Connection terminated prematurely"), "Closing connection"); // below warnings: not counted
            for (var i = 1; i < StableSnn.Client.Hosting.ClusterIdWatch.ClosesToDecide; i++)
                logger.LogWarning(new InvalidOperationException("Connection terminated prematurely"), "Connection terminated");
            Assert.False(watch.Refused.IsCompleted);
            logger.LogWarning(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("Underlying connection closed"), "Connection attempt failed");
            Assert.Null(await watch.Refused.WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }
}
