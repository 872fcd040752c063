using System.Diagnostics;
using Microsoft.Data.Sqlite;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

/// <summary>
/// SQLite waits for a locked database in its own busy handler (busy_timeout, WAL), not in Microsoft.Data.Sqlite's
/// fixed 150 ms sleeps that give up at the command timeout.
/// </summary>
public sealed class SqliteBusyTimeoutTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "stablesnn-busy-" + Guid.NewGuid().ToString("N"));

    private string ConnectionString => $"Data Source={Path.Combine(_dir, "stablesnn.db")}";

    // One second of command timeout: without SQLite's busy timeout, Microsoft.Data.Sqlite gives up on a lock after it.
    private string ShortCommandTimeout => ConnectionString + ";Default Timeout=1";

    [Fact]
    public async Task The_silo_gives_the_providers_connections_a_busy_timeout()
    {
        var options = StorageOptions.SqliteIn(_dir) with { ServiceId = TestSilo.UniqueId("svc"), ClusterId = TestSilo.UniqueId("cl") };
        var host = await TestSilo.StartAsync(options);
        try
        {
            // Orleans' ADO.NET providers open their connections from this factory with the configured string.
            await using var connection = SqliteFactory.Instance.CreateConnection();
            connection.ConnectionString = options.ConnectionString;
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal((long)SqliteBusyTimeout.Default.TotalMilliseconds, (long)(await command.ExecuteScalarAsync())!);
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_write_waits_for_the_lock_holder_longer_than_its_command_timeout_and_succeeds()
    {
        await PrepareAsync();
        await using var holder = await OpenAsync(ConnectionString);
        await using var tx = (SqliteTransaction)await holder.BeginTransactionAsync(); // BEGIN IMMEDIATE: the write lock
        await InsertAsync(holder, tx, "holder");

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waited = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            await using var connection = await OpenAsync(ShortCommandTimeout);
            waited.Restart();
            started.SetResult();
            await InsertAsync(connection, null, "writer");
            return waited.Elapsed;
        });
        await started.Task.WaitAsync(TimeSpan.FromMinutes(1));

        // Hold the lock well past the writer's 1 s command timeout. Microsoft.Data.Sqlite alone would have failed the
        // writer with "database is locked" by now; SQLite's busy handler keeps it waiting.
        var hold = TimeSpan.FromSeconds(2.5);
        await Task.WhenAny(writer, Task.Delay(hold));
        Assert.False(writer.IsCompleted, writer.Exception?.GetBaseException().Message ?? "the writer finished while the lock was held");
        await tx.CommitAsync();

        var elapsed = await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(elapsed >= hold - TimeSpan.FromMilliseconds(100), $"the writer waited {elapsed.TotalSeconds:F2} s");
        Assert.Equal(["holder", "writer"], await RowsAsync());
    }

    [Fact]
    public async Task Two_connections_writing_concurrently_both_succeed()
    {
        await PrepareAsync();
        const int writesEach = 150;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task WriteAsync(string who)
        {
            await using var connection = await OpenAsync(ShortCommandTimeout);
            await go.Task;
            for (var i = 0; i < writesEach; i++)
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
                await InsertAsync(connection, tx, $"{who}{i:D3}");
                await tx.CommitAsync();
            }
        }
        var writers = new[] { Task.Run(() => WriteAsync("a")), Task.Run(() => WriteAsync("b")) };
        go.SetResult();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(2));

        var rows = await RowsAsync();
        Assert.Equal(2 * writesEach, rows.Count);
        Assert.Equal(writesEach, rows.Count(r => r.StartsWith('a')));
        Assert.Equal(writesEach, rows.Count(r => r.StartsWith('b')));
    }

    private async Task PrepareAsync()
    {
        await OrleansSchema.ApplyAsync(OrleansSchema.Sqlite, ConnectionString); // WAL, as the silo's file
        SqliteBusyTimeout.Install(SqliteBusyTimeout.For(ConnectionString)); // what AddStableSnnPersistence does
        await using var connection = await OpenAsync(ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE BusyTest (Who TEXT NOT NULL)";
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task InsertAsync(SqliteConnection connection, SqliteTransaction? tx, string who)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO BusyTest (Who) VALUES ($who)";
        command.Parameters.AddWithValue("$who", who);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<string>> RowsAsync()
    {
        await using var connection = await OpenAsync(ConnectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Who FROM BusyTest ORDER BY Who";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
