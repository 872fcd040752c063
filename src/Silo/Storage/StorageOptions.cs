namespace StableSnn.Silo.Storage;

/// <summary>
/// Where the silo keeps grain state, reminders and (for PostgreSQL) cluster membership.
/// </summary>
/// <param name="Provider">"sqlite" (single node: localhost clustering, one file) or "postgresql" (cluster).</param>
/// <param name="ConnectionString">ADO.NET connection string; the default is a file under ./data relative to the working directory.</param>
/// <param name="ServiceId">Orleans ServiceId: keys grain state and reminders, so keep it stable across deployments.</param>
/// <param name="ClusterId">Orleans ClusterId: silos with the same one form a cluster (membership rows are per ClusterId).</param>
public sealed record StorageOptions(
    string Provider = OrleansSchema.Sqlite,
    string ConnectionString = StorageOptions.DefaultSqliteConnectionString,
    string ServiceId = "stablesnn",
    string ClusterId = "default")
{
    public const string DefaultSqliteConnectionString = "Data Source=data/stablesnn.db";

    /// <summary>SQLite storage in <paramref name="dataDir"/>/stablesnn.db.</summary>
    public static StorageOptions SqliteIn(string dataDir) =>
        new(OrleansSchema.Sqlite, $"Data Source={Path.Combine(dataDir, "stablesnn.db")}");
}
