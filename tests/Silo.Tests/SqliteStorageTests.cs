using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

/// <summary>Storage on a real SQLite file in a fresh temp directory (created by the schema step).</summary>
public sealed class SqliteStorageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "stablesnn-sqlite-" + Guid.NewGuid().ToString("N"));

    private StorageOptions Options => StorageOptions.SqliteIn(Path.Combine(_dir, "nested")) with
    {
        ServiceId = TestSilo.UniqueId("svc"),
        ClusterId = TestSilo.UniqueId("cl"),
    };

    [Fact]
    public async Task Grain_state_survives_a_silo_restart_on_the_same_file()
    {
        var options = Options;
        await StorageChecks.PersistenceSurvivesRestartAsync(options);
        Assert.True(File.Exists(Path.Combine(_dir, "nested", "stablesnn.db")));
    }

    [Fact]
    public async Task Stale_etag_writes_and_clears_are_rejected()
    {
        var host = await TestSilo.StartAsync(Options);
        try
        {
            await StorageChecks.StaleETagIsRejectedAsync(host);
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Reminder_rows_round_trip_through_the_provider()
    {
        var host = await TestSilo.StartAsync(Options);
        try
        {
            await StorageChecks.RemindersRoundTripAsync(host);
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task Applying_the_schema_twice_is_harmless_and_enables_wal()
    {
        var connectionString = Options.ConnectionString;
        await OrleansSchema.ApplyAsync("sqlite", connectionString);
        await OrleansSchema.ApplyAsync("SQLite", connectionString);

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var keys = connection.CreateCommand();
        keys.CommandText = "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey";
        var found = new List<string>();
        await using (var reader = await keys.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        }
        Assert.Equal(StorageChecks.QueryKeys.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));

        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await wal.ExecuteScalarAsync());
    }

    // The default SQLite setup uses localhost clustering; this checks the SQLite membership queries anyway, for
    // several silos sharing one file on one machine.
    [Fact]
    public async Task Sqlite_membership_queries_let_a_silo_join_and_leave()
    {
        var options = Options;
        await OrleansSchema.ApplyAsync("sqlite", options.ConnectionString);
        var host = Host.CreateDefaultBuilder()
            .UseOrleans(silo => silo
                .UseAdoNetClustering(o => { o.Invariant = "System.Data.SQLite"; o.ConnectionString = options.ConnectionString; })
                .Configure<ClusterOptions>(o => { o.ServiceId = options.ServiceId; o.ClusterId = options.ClusterId; })
                .ConfigureEndpoints(IPAddress.Loopback, TestSilo.FreePort(), TestSilo.FreePort()))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();
        await host.StartAsync();
        Assert.Equal(1L, await CountMembersAsync(options, status: 3));
        await TestSilo.StopAsync(host);
        Assert.Equal(0L, await CountMembersAsync(options, status: 3));
        Assert.Equal(1L, await CountMembersAsync(options, status: 6));
    }

    private static async Task<long> CountMembersAsync(StorageOptions options, int status)
    {
        await using var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = $c AND Status = $s";
        command.Parameters.AddWithValue("$c", options.ClusterId);
        command.Parameters.AddWithValue("$s", status);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Unknown_provider_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => OrleansSchema.ApplyAsync("mysql", "x"));
        Assert.Contains("postgresql", ex.Message);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // pooled handles would keep the files open
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
