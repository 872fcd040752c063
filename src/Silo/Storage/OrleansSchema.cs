using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace StableSnn.Silo.Storage;

/// <summary>
/// Creates the tables of the Orleans ADO.NET providers and fills <c>OrleansQuery</c> with the SQL they run.
/// Orleans 10.4.2 ships no scripts and reads its queries from that table at start, so the scripts live here
/// (Storage/Sql/&lt;provider&gt;/*.sql, embedded) and are idempotent: applying them at every start is safe.
/// </summary>
public static class OrleansSchema
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    // Any constant: serialises concurrent ApplyAsync calls (two silos starting together) on one PostgreSQL database,
    // because concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
    private const long PostgresLockKey = 0x5354_4142_4C45_534E; // "STABLESN"

    public static async Task ApplyAsync(string provider, string connectionString, CancellationToken ct = default)
    {
        var kind = NormalizeProvider(provider);
        var scripts = LoadScripts(kind);
        if (kind == Sqlite)
        {
            await ApplySqliteAsync(connectionString, scripts, ct).ConfigureAwait(false);
        }
        else
        {
            await ApplyPostgresAsync(connectionString, scripts, ct).ConfigureAwait(false);
        }
    }

    /// <summary>"sqlite" or "postgresql" (case-insensitive; "postgres" accepted); anything else is a configuration error.</summary>
    public static string NormalizeProvider(string provider) => provider?.Trim().ToLowerInvariant() switch
    {
        Sqlite => Sqlite,
        PostgreSql or "postgres" => PostgreSql,
        _ => throw new ArgumentException(
            $"Unknown storage provider '{provider}'. Use \"{Sqlite}\" (single node, a local file) or \"{PostgreSql}\" (cluster).",
            nameof(provider)),
    };

    /// <summary>The embedded scripts of one dialect, in file-name order (001-, 002-, ...).</summary>
    public static IReadOnlyList<(string Name, string Sql)> LoadScripts(string provider)
    {
        var prefix = $"StableSnn.Silo.Storage.Sql.{NormalizeProvider(provider)}/";
        var assembly = typeof(OrleansSchema).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[prefix.Length..], Read(assembly, n)))
            .ToList();
        return scripts.Count > 0
            ? scripts
            : throw new InvalidOperationException($"No embedded SQL scripts under '{prefix}': the Silo assembly was built without Storage/Sql.");
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ApplySqliteAsync(string connectionString, IReadOnlyList<(string Name, string Sql)> scripts, CancellationToken ct)
    {
        string target = "(unparsed connection string)";
        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            target = builder.DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(directory) && builder.Mode != SqliteOpenMode.Memory)
            {
                Directory.CreateDirectory(directory);
            }

            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            // WAL lets the silo read while another connection writes; the setting is stored in the file.
            // It cannot change inside a transaction, so it runs first.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", ct).ConfigureAwait(false);
            // Microsoft.Data.Sqlite begins IMMEDIATE transactions: a second process applying at once waits, not fails.
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            foreach (var (_, sql) in scripts)
            {
                await ExecuteAsync(connection, tx, sql, ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Applying the Orleans schema (sqlite) to '{target}' failed: {ex.Message} " +
                "Check that the connection string is 'Data Source=<path>', the directory is writable and the file is a SQLite database.", ex);
        }
    }

    private static async Task ApplyPostgresAsync(string connectionString, IReadOnlyList<(string Name, string Sql)> scripts, CancellationToken ct)
    {
        string target = "(unparsed connection string)";
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            target = $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({PostgresLockKey});", ct).ConfigureAwait(false);
            foreach (var (_, sql) in scripts)
            {
                await ExecuteAsync(connection, tx, sql, ct).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"Applying the Orleans schema (postgresql) to '{target}' failed: {ex.Message} " +
                "Check the connection string (host, port, database, user, password), that the PostgreSQL server is running " +
                "and reachable, and that the user may create tables in that database.", ex);
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
