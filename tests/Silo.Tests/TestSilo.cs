using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StableSnn.Silo.Network;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

/// <summary>Real silo hosts built the way the application builds them: UseStableSnnStorage with free loopback ports.</summary>
internal static class TestSilo
{
    public static async Task<IHost> StartAsync(StorageOptions options, int? siloPort = null, int? gatewayPort = null)
    {
        var ports = (Silo: siloPort ?? FreePort(), Gateway: gatewayPort ?? FreePort());
        var network = new NetworkOptions(ports.Silo, ports.Gateway, AdvertisedAddress: IPAddress.Loopback.ToString());
        var host = Host.CreateDefaultBuilder()
            .UseOrleans(silo => silo.UseStableSnnStorage(options, network))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await host.StartAsync(timeout.Token);
        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }

    // Ports from the OS so parallel runs on the same machine do not collide.
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}
