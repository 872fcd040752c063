using Microsoft.Extensions.Hosting;
using StableSnn.Silo.Network;

namespace StableSnn.Silo.Tests;

public class NetworkOptionsTests
{
    [Fact]
    public void Defaults_are_orleans_ports_and_http_8080_on_every_interface()
    {
        var n = new NetworkOptions().Validate();
        Assert.Equal((11111, 30000, 8080), (n.SiloPort, n.GatewayPort, n.HttpPort));
        Assert.Null(n.AdvertisedIp());
        Assert.Equal("http://+:8080", n.HttpUrl());
    }

    [Fact]
    public void A_listen_address_binds_http_there_too()
    {
        Assert.Equal("http://127.0.0.1:9000", new NetworkOptions(HttpPort: 9000, ListenAddress: "127.0.0.1").HttpUrl());
        Assert.Equal("http://[::1]:9000", new NetworkOptions(HttpPort: 9000, ListenAddress: "::1").HttpUrl());
        Assert.Equal("http://+:9000", new NetworkOptions(HttpPort: 9000, ListenAddress: "0.0.0.0").HttpUrl());
    }

    [Theory]
    [InlineData(0, 30000, 8080, null, "Network:SiloPort: 0 is not a TCP port")]
    [InlineData(11111, 11111, 8080, null, "must differ")]
    [InlineData(11111, 30000, 8080, "silo-a.example", "Network:AdvertisedAddress: 'silo-a.example' is not an IP address")]
    public void Bad_settings_name_the_setting_and_the_fix(int silo, int gateway, int http, string? advertised, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new NetworkOptions(silo, gateway, advertised, null, http).Validate());
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_sqlite_silo_refuses_a_non_loopback_advertised_address()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Host.CreateDefaultBuilder().UseOrleans(silo =>
                silo.UseStableSnnEndpoints(new NetworkOptions(AdvertisedAddress: "10.0.0.5"), "sqlite")).Build());
        Assert.Contains("Storage:Provider postgresql", e.Message);
    }
}
