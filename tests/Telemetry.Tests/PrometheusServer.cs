using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace StableSnn.Telemetry.Tests;

/// <summary>
/// A real Prometheus (the Debian `prometheus` binary) on a free loopback port with temporary storage, scraping one
/// target every second. Fails with a clear message when the binary is missing (scripts/setup.sh installs it).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _log = new();
    readonly string _directory;
    public Uri Address { get; }
    public HttpClient Http { get; }

    PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    public static string FindBinary()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Select(d => Path.Combine(d, "prometheus"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "prometheus not found on PATH or in /usr/bin: install the Debian package 'prometheus' (scripts/setup.sh does).");
    }

    public static async Task<PrometheusServer> StartAsync(string target, string job)
    {
        var binary = FindBinary();
        var directory = Directory.CreateTempSubdirectory("stablesnn-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {job}
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target}']
            """);
        int port = FreePort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}");
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"prometheus exited ({process.ExitCode}):\n{server.Log}");
            try
            {
                using var ready = await server.Http.GetAsync("-/ready");
                if (ready.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"prometheus not ready within 30 s:\n{server.Log}");
            await Task.Delay(200);
        }
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>An instant query: the result vector (or scalar) as JSON; throws on a query error.</summary>
    public async Task<JsonElement> Query(string promql)
    {
        using var response = await Http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"query failed: {promql}\n{body}");
        return doc.RootElement.GetProperty("data").GetProperty("result").Clone();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
