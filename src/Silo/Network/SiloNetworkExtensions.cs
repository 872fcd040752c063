using System.Net;
using Orleans.Configuration;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Network;

public static class SiloNetworkExtensions
{
    /// <summary>
    /// Ports and addresses from <see cref="NetworkOptions"/>. Runs after the clustering setup (localhost clustering and
    /// Kubernetes hosting write endpoints too), so what an operator sets wins and what they leave unset keeps its default.
    /// </summary>
    public static ISiloBuilder UseStableSnnEndpoints(this ISiloBuilder silo, NetworkOptions network, string storageProvider)
    {
        network.Validate();
        var sqlite = OrleansSchema.NormalizeProvider(storageProvider) == OrleansSchema.Sqlite;
        if (sqlite && network.AdvertisedIp() is { } a && !IPAddress.IsLoopback(a))
            throw new ArgumentException($"{NetworkOptions.Section}:AdvertisedAddress: {a} with Storage:Provider sqlite; a SQLite silo is a " +
                "single node and advertises loopback; use Storage:Provider postgresql for silos other hosts reach");
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = network.SiloPort;
            o.GatewayPort = network.GatewayPort;
            if (network.AdvertisedIp() is { } advertised) o.AdvertisedIPAddress = advertised;
            if (network.ListenIp() is { } listen)
            {
                o.SiloListeningEndpoint = new IPEndPoint(listen, network.SiloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(listen, network.GatewayPort);
            }
        });
        return silo;
    }
}
