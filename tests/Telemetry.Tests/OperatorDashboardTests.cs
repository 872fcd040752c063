using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StableSnn.Silo;

namespace StableSnn.Telemetry.Tests;

/// <summary>The Orleans Dashboard: on its own port when enabled, absent otherwise; the metrics port never serves it.</summary>
public sealed class OperatorDashboardTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_dashboard_is_on_its_own_port_only_when_enabled(bool enabled)
    {
        var data = Directory.CreateTempSubdirectory("stablesnn-dashboard-").FullName;
        int http = PrometheusServer.FreePort(), dashboardPort = PrometheusServer.FreePort();
        var app = SiloHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(data, "silo.db")}",
                ["Network:SiloPort"] = PrometheusServer.FreePort().ToString(),
                ["Network:GatewayPort"] = PrometheusServer.FreePort().ToString(),
                ["Network:HttpPort"] = http.ToString(),
                ["Node:Trainer"] = "fake",
                ["Node:CpuSlots"] = "1",
                ["Node:ArtifactRoot"] = Path.Combine(data, "artifacts"),
                ["Dashboard:Enabled"] = enabled.ToString(),
                ["Dashboard:Port"] = dashboardPort.ToString(),
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        try
        {
            using (var start = new CancellationTokenSource(TimeSpan.FromMinutes(2))) await app.StartAsync(start.Token);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

            // The metrics port (Network:HttpPort, no ASPNETCORE_URLS) serves metrics and probes, never the dashboard.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{http}/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{http}/")).StatusCode);
            if (enabled)
            {
                var page = await client.GetAsync($"http://127.0.0.1:{dashboardPort}/");
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{dashboardPort}/"));
            }
        }
        finally
        {
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await app.StopAsync(stop.Token);
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }
}
