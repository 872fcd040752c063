using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using StableSnn.Grains;
using StableSnn.Silo.Storage;

namespace StableSnn.Bench;

/// <summary>
/// One cluster's grain storage and reminders, configured as the real silo configures them (memory is the baseline the
/// bench always had), on a database of its own so that runs never see each other's rows. Every silo's storage is
/// wrapped by <see cref="TimedGrainStorage"/>.
/// </summary>
public sealed class BenchStorage : IAsyncDisposable
{
    public const string Memory = "memory", Sqlite = "sqlite", Postgres = "postgres";

    public string Kind { get; }
    public StorageStats Stats { get; } = new();
    /// <summary>Diagnostic (--one-writer): the silos' writes queue in the process, as one SQLite writer would need.</summary>
    public SemaphoreSlim? OneWriter { get; private set; }
    /// <summary>What each run started from: a temp file or a fresh database (for the report).</summary>
    public string Where { get; private set; }
    readonly string? _connectionString, _dropDatabase, _adminConnectionString, _tempDir;

    BenchStorage(string kind, string where, string? connectionString, string? tempDir = null, string? dropDatabase = null, string? admin = null)
    {
        Kind = kind; Where = where; _connectionString = connectionString; _tempDir = tempDir; _dropDatabase = dropDatabase; _adminConnectionString = admin;
    }

    public static async Task<BenchStorage> CreateAsync(string kind, string? postgres, bool oneWriter = false)
    {
        var storage = await CreateCoreAsync(kind, postgres);
        if (oneWriter)
        {
            storage.OneWriter = new SemaphoreSlim(1);
            storage.Where += "; writes serialised in the process (--one-writer)";
        }
        return storage;
    }

    static async Task<BenchStorage> CreateCoreAsync(string kind, string? postgres)
    {
        switch (kind)
        {
            case Memory:
                return new BenchStorage(kind, "in-memory grain storage and reminders", null);
            case Sqlite:
            {
                // The embedded mode's layout: one file under a data directory (StorageOptions.SqliteIn).
                var dir = Directory.CreateTempSubdirectory("stablesnn-bench-sqlite-").FullName;
                var options = StorageOptions.SqliteIn(dir);
                return new BenchStorage(kind, "a new SQLite file in a temp directory", options.ConnectionString, tempDir: dir);
            }
            case Postgres:
            {
                var admin = postgres ?? throw new ArgumentException("postgres needs --postgres or STABLESNN_BENCH_POSTGRES");
                var database = $"stablesnn_bench_{Environment.ProcessId}_{DateTime.UtcNow:HHmmssfff}";
                await using (var c = new NpgsqlConnection(admin))
                {
                    await c.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
                    await create.ExecuteNonQueryAsync();
                }
                var cs = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
                return new BenchStorage(kind, $"a new PostgreSQL database ({database})", cs, dropDatabase: database, admin: admin);
            }
            default:
                throw new ArgumentException($"unknown storage '{kind}': use {Memory}, {Sqlite} or {Postgres}");
        }
    }

    /// <summary>Registers storage and reminders on one silo (clustering stays the test cluster's).</summary>
    public void Configure(ISiloBuilder silo)
    {
        if (Kind == Memory)
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.UseInMemoryReminderService();
        }
        else
        {
            // The real silo's own registration: ADO.NET storage + reminders, schema applied at start, JSON settings.
            silo.AddStableSnnPersistence(Kind == Sqlite ? OrleansSchema.Sqlite : OrleansSchema.PostgreSql, _connectionString!);
        }
        TimedGrainStorage.Decorate(silo.Services, GrainStorage.Name, Stats, OneWriter);
    }

    /// <summary>The durability settings a provider's connections run with (they set none themselves): what a write waits for.</summary>
    public async Task<string> SettingsAsync()
    {
        if (Kind == Sqlite)
        {
            await using var c = new SqliteConnection(_connectionString);
            await c.OpenAsync();
            return $"journal_mode {await Scalar(c, "PRAGMA journal_mode")}, synchronous {await Scalar(c, "PRAGMA synchronous")} (2 = FULL: fsync per commit)";
        }
        if (Kind == Postgres)
        {
            await using var c = new NpgsqlConnection(_connectionString);
            await c.OpenAsync();
            return $"PostgreSQL {await Scalar(c, "SHOW server_version")}, fsync {await Scalar(c, "SHOW fsync")}, " +
                $"synchronous_commit {await Scalar(c, "SHOW synchronous_commit")}, shared_buffers {await Scalar(c, "SHOW shared_buffers")}";
        }
        return "";
    }

    static async Task<string?> Scalar(System.Data.Common.DbConnection c, string sql)
    {
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Size of the SQLite file and its WAL, or of the PostgreSQL database, in bytes (0 for memory).</summary>
    public async Task<long> SizeBytesAsync()
    {
        if (_tempDir is not null)
            return Directory.GetFiles(_tempDir).Sum(f => new FileInfo(f).Length);
        if (_dropDatabase is null) return 0;
        await using var c = new NpgsqlConnection(_connectionString);
        await c.OpenAsync();
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", c);
        return Convert.ToInt64(await size.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_tempDir is not null)
        {
            SqliteConnection.ClearAllPools(); // pooled connections keep the file open
            Directory.Delete(_tempDir, recursive: true);
        }
        if (_dropDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(_adminConnectionString);
            await c.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_dropDatabase} WITH (FORCE)", c);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
