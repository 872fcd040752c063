using StableSnn.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using StableSnn.Silo.Network;

namespace StableSnn.Silo.Storage;

public static class SiloStorageExtensions
{
    /// <summary>
    /// Durable storage for the silo: ADO.NET grain storage named <see cref="GrainStorage.Name"/> and ADO.NET reminders
    /// on SQLite (with localhost clustering: one node) or on PostgreSQL (with ADO.NET clustering: many nodes).
    /// The schema is applied as the first silo lifecycle step, so an empty database just works. Ports and addresses
    /// come from <paramref name="network"/> (Orleans' defaults without it).
    /// </summary>
    public static ISiloBuilder UseStableSnnStorage(this ISiloBuilder silo, StorageOptions options, NetworkOptions? network = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        network ??= new NetworkOptions();
        var provider = OrleansSchema.NormalizeProvider(options.Provider);
        var connectionString = options.ConnectionString;
        var invariant = provider == OrleansSchema.Sqlite
            ? "System.Data.SQLite" // Orleans maps this invariant to Microsoft.Data.Sqlite.SqliteFactory.
            : "Npgsql";

        if (provider == OrleansSchema.Sqlite)
        {
            // A file is not shared between hosts, so membership stays in-process.
            // Localhost clustering names this silo's own endpoint as the primary, so it needs the ports up front.
            silo.UseLocalhostClustering(network.SiloPort, network.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = options.ServiceId;
                o.ClusterId = options.ClusterId;
            });
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
            });
        }

        return silo.UseStableSnnEndpoints(network, provider).AddStableSnnPersistence(provider, connectionString);
    }

    /// <summary>Grain storage and reminders only (clustering configured elsewhere, e.g. by a test cluster).</summary>
    public static ISiloBuilder AddStableSnnPersistence(this ISiloBuilder silo, string provider, string connectionString)
    {
        provider = OrleansSchema.NormalizeProvider(provider);
        var invariant = provider == OrleansSchema.Sqlite ? "System.Data.SQLite" : "Npgsql";
        if (provider != OrleansSchema.Sqlite) connectionString = PostgresConnection.WithAutoPrepare(connectionString);
        // A write that meets another connection's lock waits in SQLite's busy handler for as long as the lock is held
        // (up to the connection string's Default Timeout), not in Microsoft.Data.Sqlite's fixed 150 ms sleeps.
        else SqliteBusyTimeout.Install(SqliteBusyTimeout.For(connectionString));
        silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new SchemaLifecycleParticipant(provider, connectionString));
        // The ADO.NET providers store state as Orleans' JSON, which by default omits values equal to their type's
        // default: an experiment at grid index 0 was stored without "Index" and came back as the initializer's -1
        // after a reactivation, so its sweep never heard from it again (found by the 2-silo fault test).
        silo.Services.PostConfigure<OrleansJsonSerializerOptions>(o =>
            o.JsonSerializerSettings.DefaultValueHandling = Newtonsoft.Json.DefaultValueHandling.Include);
        return silo;
    }

    // Runs at ServiceLifecycleStage.First: before membership, storage and reminders read OrleansQuery.
    private sealed class SchemaLifecycleParticipant(string provider, string connectionString) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(OrleansSchema), ServiceLifecycleStage.First,
                ct => OrleansSchema.ApplyAsync(provider, connectionString, ct));
    }
}
