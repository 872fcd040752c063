using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

/// <summary>
/// Storage and clustering on a real PostgreSQL server (scripts/test.sh starts it). An unreachable server fails these
/// tests with the reason; they never pass silently. Every test uses its own ServiceId/ClusterId.
/// </summary>
public sealed class PostgresStorageTests
{
    private const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Username=stablesnn;Password=stablesnn;Database=stablesnn_test";

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("STABLESNN_TEST_POSTGRES") is { Length: > 0 } cs ? cs : DefaultConnectionString;

    private static async Task<StorageOptions> OptionsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
        }
        catch (Exception ex)
        {
            var b = new NpgsqlConnectionStringBuilder(ConnectionString);
            Assert.Fail($"PostgreSQL for tests is unreachable at {b.Host}:{b.Port}/{b.Database} as {b.Username}: {ex.Message}. " +
                        "Run scripts/test.sh (starts the server, creates role and database) or set STABLESNN_TEST_POSTGRES.");
        }
        return new StorageOptions(OrleansSchema.PostgreSql, ConnectionString, TestSilo.UniqueId("svc"), TestSilo.UniqueId("cl"));
    }

    [Fact]
    public async Task Grain_state_survives_a_silo_restart() =>
        await StorageChecks.PersistenceSurvivesRestartAsync(await OptionsAsync());

    [Fact]
    public async Task Stale_etag_writes_are_rejected_and_reminder_rows_round_trip()
    {
        var host = await TestSilo.StartAsync(await OptionsAsync());
        try
        {
            await StorageChecks.StaleETagIsRejectedAsync(host);
            await StorageChecks.RemindersRoundTripAsync(host);
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Two_silos_form_a_cluster_and_a_client_calls_grains_through_it()
    {
        var options = await OptionsAsync();
        var first = await TestSilo.StartAsync(options);
        IHost? second = null;
        IHost? client = null;
        try
        {
            second = await TestSilo.StartAsync(options);

            // Both silos are Active in the membership table (status 3) of this cluster.
            await WaitUntilAsync(async () => await CountActiveAsync(options.ClusterId) == 2, "two Active rows in OrleansMembershipTable");
            // ... and Orleans itself sees both through that table.
            var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            await WaitUntilAsync(async () => (await management.GetHosts(onlyActive: true)).Count == 2, "both silos active in the management view");

            // A client finds the gateways through GatewaysQueryKey and calls grains on the cluster.
            client = Host.CreateDefaultBuilder()
                .UseOrleansClient(c => c
                    .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = options.ConnectionString; })
                    .Configure<ClusterOptions>(o => { o.ServiceId = options.ServiceId; o.ClusterId = options.ClusterId; }))
                .Build();
            await client.StartAsync();
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var silos = new HashSet<string>();
            for (var i = 0; i < 8; i++)
            {
                var grain = grains.GetGrain<INoteGrain>($"cluster-{i}");
                await grain.Write($"note {i}");
                Assert.Equal($"note {i}", (await grain.Read()).Text);
                silos.Add(await grain.Silo());
            }
            Assert.NotEmpty(silos);
        }
        finally
        {
            if (client is not null) { await client.StopAsync(); client.Dispose(); }
            if (second is not null) await TestSilo.StopAsync(second);
            await TestSilo.StopAsync(first);
        }

        // Stopped silos leave the cluster: none is Active any more.
        Assert.Equal(0, await CountActiveAsync(options.ClusterId));
    }

    [Fact]
    public async Task Applying_the_schema_twice_is_harmless()
    {
        await OptionsAsync();
        await Task.WhenAll(OrleansSchema.ApplyAsync("postgresql", ConnectionString), OrleansSchema.ApplyAsync("postgresql", ConnectionString));
        await OrleansSchema.ApplyAsync("postgresql", ConnectionString);

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
        var found = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        }
        Assert.Equal(StorageChecks.QueryKeys.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unreachable_server_is_reported_with_what_to_check()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => OrleansSchema.ApplyAsync(
            "postgresql", $"Host=127.0.0.1;Port={TestSilo.FreePort()};Username=nobody;Password=s3cret-value;Database=none;Timeout=3"));
        Assert.Contains("postgresql", ex.Message);
        Assert.Contains("127.0.0.1", ex.Message);
        Assert.Contains("server is running", ex.Message);
        Assert.DoesNotContain("s3cret-value", ex.Message);
    }

    private static async Task<long> CountActiveAsync(string clusterId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @c AND Status = 3", connection);
        command.Parameters.AddWithValue("c", clusterId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(250);
        }
    }
}
