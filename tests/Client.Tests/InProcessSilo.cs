using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StableSnn.Silo;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

/// <summary>A real silo in the test process (SiloHost, SQLite in the work directory, fake trainer, no slots) for fixtures to start with their own settings.</summary>
internal static class InProcessSilo
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts it on <paramref name="gatewayPort"/>; <paramref name="settings"/> add to or override the defaults.</summary>
    public static async Task<WebApplication> StartAsync(TempDirectory work, int gatewayPort, string node, IReadOnlyDictionary<string, string?> settings)
    {
        var silo = SiloHost.Build([], builder =>
        {
            var all = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "sqlite",
                ["Storage:ConnectionString"] = $"Data Source={work.File("silo.db")}",
                ["Network:SiloPort"] = FreePort().ToString(),
                ["Network:GatewayPort"] = gatewayPort.ToString(),
                ["Node:Name"] = node,
                ["Node:Trainer"] = "fake",
                ["Node:CpuSlots"] = "0",
                ["Node:ArtifactRoot"] = work.File("artifacts"),
            };
            foreach (var (key, value) in settings) all[key] = value;
            builder.Configuration.AddInMemoryCollection(all);
            builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort()}");
            builder.Logging.SetMinimumLevel(LogLevel.Error);
        });
        using var start = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await silo.StartAsync(start.Token);
        return silo;
    }

    public static async Task StopAsync(WebApplication silo, TempDirectory work)
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await silo.StopAsync(stop.Token);
        await silo.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        work.Dispose();
    }
}
