using System.Net;

namespace StableSnn.Silo.Network;

/// <summary>
/// Where a silo listens and what it tells others (section "Network"; env <c>Network__SiloPort</c> and so on).
/// The defaults are Orleans' ports and the images' HTTP port, so a pod needs none of these; they let an operator run
/// silos off Kubernetes, several on one host, or behind NAT.
/// </summary>
/// <param name="SiloPort">Silo-to-silo port.</param>
/// <param name="GatewayPort">Client gateway port (<c>stablesnn --cluster HOST:GatewayPort</c>).</param>
/// <param name="AdvertisedAddress">IP address written to the membership table for other silos and clients. Unset:
/// loopback with SQLite (one node), else Orleans' choice (the first non-loopback IPv4 address; the pod IP on Kubernetes).</param>
/// <param name="ListenAddress">IP address the silo, gateway and HTTP listeners bind. Unset: the advertised address for
/// Orleans, every interface for HTTP. <c>0.0.0.0</c> binds every interface (e.g. behind NAT, advertising a public address).</param>
/// <param name="HttpPort">/metrics and /health/*; ASPNETCORE_URLS, when set, wins.</param>
public sealed record NetworkOptions(
    int SiloPort = 11111,
    int GatewayPort = 30000,
    string? AdvertisedAddress = null,
    string? ListenAddress = null,
    int HttpPort = 8080)
{
    public const string Section = "Network";

    /// <summary>The options as written, checked: ports in range and distinct, addresses that parse.</summary>
    public NetworkOptions Validate()
    {
        CheckPort(SiloPort, nameof(SiloPort));
        CheckPort(GatewayPort, nameof(GatewayPort));
        CheckPort(HttpPort, nameof(HttpPort));
        if (SiloPort == GatewayPort || SiloPort == HttpPort || GatewayPort == HttpPort)
            throw new ArgumentException($"{Section}: SiloPort {SiloPort}, GatewayPort {GatewayPort} and HttpPort {HttpPort} must differ; give each its own port");
        _ = AdvertisedIp();
        _ = ListenIp();
        return this;
    }

    // Methods, not properties: every public property is a setting (deploy/README.md lists them all).
    public IPAddress? AdvertisedIp() => Parse(AdvertisedAddress, nameof(AdvertisedAddress));
    public IPAddress? ListenIp() => Parse(ListenAddress, nameof(ListenAddress));

    /// <summary>The HTTP listener's URL when ASPNETCORE_URLS does not give one.</summary>
    public string HttpUrl() => ListenIp() is { } listen && !listen.Equals(IPAddress.Any)
        ? $"http://{(listen.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{listen}]" : listen.ToString())}:{HttpPort}"
        : $"http://+:{HttpPort}";

    static void CheckPort(int port, string name)
    {
        if (port is <= 0 or > 65535)
            throw new ArgumentException($"{Section}:{name}: {port} is not a TCP port; give a number from 1 to 65535");
    }

    static IPAddress? Parse(string? text, string name) =>
        string.IsNullOrWhiteSpace(text) ? null
        : IPAddress.TryParse(text, out var ip) ? ip
        : throw new ArgumentException($"{Section}:{name}: '{text}' is not an IP address; give one such as 10.0.0.5 (host names are not resolved here)");
}
