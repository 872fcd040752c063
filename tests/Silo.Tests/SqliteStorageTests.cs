using Microsoft.Data.Sqlite;
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
