using System.Net.Http;

namespace StableSnn.Faults.Tests;

/// <summary>
/// A real StableSnn.Silo process on loopback with its own ports, configured only through the documented environment
/// settings (deploy/README.md, "Silos without Kubernetes").
/// </summary>
public sealed class SiloProcess : IDisposable
{
    public required string Name { get; init; }
    public required int SiloPort { get; init; }
    public required int GatewayPort { get; init; }
    public required int HttpPort { get; init; }
    public required RunningProcess Process { get; set; }
    public required Dictionary<string, string> Environment { get; init; }
    public required string WorkingDirectory { get; init; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>What earlier processes of this node printed (before a restart).</summary>
    public string PreviousOutput { get; private set; } = "";

    public static SiloProcess Start(string name, string connectionString, string artifactRoot, string workingDirectory)
    {
        int silo = Ports.Free(), gateway = Ports.Free(), http = Ports.Free();
        var environment = ClusterSettings(name, connectionString, silo, gateway, lease: TimeSpan.FromSeconds(5));
        environment["Storage__Provider"] = "postgresql";
        environment["Network__HttpPort"] = http.ToString();
        environment["Node__ArtifactRoot"] = artifactRoot;
        environment["Logging__LogLevel__StableSnn.Grains"] = "Debug";
        Directory.CreateDirectory(workingDirectory);
        return new SiloProcess
        {
            Name = name, SiloPort = silo, GatewayPort = gateway, HttpPort = http, Environment = environment, WorkingDirectory = workingDirectory,
            Process = RunningProcess.Start(Executables.Silo, workingDirectory, [], environment),
        };
    }

    /// <summary>
    /// What every test silo of a cluster is given as environment variables: the database, loopback with its own ports,
    /// one CPU slot of one thread, and faults noticed in seconds (short leases and retry delays; production: 1 min, 5 s).
    /// </summary>
    public static Dictionary<string, string> ClusterSettings(string name, string connectionString, int siloPort, int gatewayPort, TimeSpan lease) => new()
    {
        ["Storage__ConnectionString"] = connectionString,
        ["Network__AdvertisedAddress"] = "127.0.0.1",
        ["Network__SiloPort"] = siloPort.ToString(),
        ["Network__GatewayPort"] = gatewayPort.ToString(),
        ["Node__Name"] = name,
        ["Node__CpuSlots"] = "1",
        ["Node__ThreadsPerCpuSlot"] = "1",
        ["Engine__LeaseDuration"] = lease.ToString("c"),
        ["Engine__RetryBaseDelay"] = "00:00:01",
        ["Engine__RetryMaxDelay"] = "00:00:05",
        ["Engine__ReconcileInterval"] = "00:00:05",
    };

    /// <summary>A new process with the same settings (a restarted node keeps its name and ports).</summary>
    public void Restart()
    {
        PreviousOutput += Process.Output;
        Process.Dispose();
        Process = RunningProcess.Start(Executables.Silo, WorkingDirectory, [], Environment);
    }

    /// <summary>Until /health/ready says the silo is an active cluster member.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{HttpPort}/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (Process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"silo {Name} not ready (exited: {Process.HasExited}):\n{Process.Output}");
            await Task.Delay(200);
        }
    }

    public void Dispose() => Process.Dispose();
}
