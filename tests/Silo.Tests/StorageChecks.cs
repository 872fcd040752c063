using StableSnn.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

/// <summary>The checks both dialects must pass, run against a real database through the real Orleans providers.</summary>
internal static class StorageChecks
{
    // Every key the Orleans 10.4.2 ADO.NET assemblies look up (docs: MACHINE-NOTES.md).
    public static readonly string[] QueryKeys =
    [
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadAllKey", "MembershipReadRowKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        "UpsertReminderRowKey", "ReadReminderRowKey", "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    /// <summary>State written by a grain survives a silo restart on the same database.</summary>
    public static async Task PersistenceSurvivesRestartAsync(StorageOptions options)
    {
        var host = await TestSilo.StartAsync(options);
        try
        {
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>("restart");
            await grain.Write("first");
            await grain.Write("second");
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }

        host = await TestSilo.StartAsync(options);
        try
        {
            var state = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>("restart").Read();
            Assert.Equal("second", state.Text);
            Assert.Equal(2, state.Writes);
        }
        finally
        {
            await TestSilo.StopAsync(host);
        }
    }

    /// <summary>Optimistic concurrency through the IGrainStorage API the grains use.</summary>
    public static async Task StaleETagIsRejectedAsync(IHost host)
    {
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        Assert.Equal("AdoNetGrainStorage", storage.GetType().Name);
        var id = GrainId.Create("note", TestSilo.UniqueId("etag"));
        const string type = "NoteGrain";

        // Two first writes (no ETag): only one may create the row.
        var created = new GrainState<NoteState>(new NoteState { Text = "created" });
        await storage.WriteStateAsync(type, id, created);
        Assert.Equal("1", created.ETag);
        var alsoNew = new GrainState<NoteState>(new NoteState { Text = "lost insert" });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(type, id, alsoNew));

        // Two writers holding the same version: the second must not overwrite the first.
        var writerA = new GrainState<NoteState>(new NoteState { Text = "A" }) { ETag = created.ETag };
        var writerB = new GrainState<NoteState>(new NoteState { Text = "B" }) { ETag = created.ETag };
        await storage.WriteStateAsync(type, id, writerA);
        Assert.Equal("2", writerA.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(type, id, writerB));

        var read = new GrainState<NoteState>();
        await storage.ReadStateAsync(type, id, read);
        Assert.Equal("A", read.State!.Text);
        Assert.Equal("2", read.ETag);
        Assert.True(read.RecordExists);

        // Clear is version-checked too, and the next write continues the version sequence.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(type, id, writerB));
        await storage.ClearStateAsync(type, id, read);
        Assert.Equal("3", read.ETag);
        var afterClear = new GrainState<NoteState>();
        await storage.ReadStateAsync(type, id, afterClear);
        Assert.Equal("", afterClear.State!.Text);
        Assert.Equal("3", afterClear.ETag);
        afterClear.State.Text = "again";
        await storage.WriteStateAsync(type, id, afterClear);
        Assert.Equal("4", afterClear.ETag);
    }

    /// <summary>Reminder rows through the provider's IReminderTable: upsert, reads, ring ranges, versioned delete.</summary>
    public static async Task RemindersRoundTripAsync(IHost host)
    {
        var table = host.Services.GetRequiredService<IReminderTable>();
        Assert.Equal("AdoNetReminderTable", table.GetType().Name); // not the in-memory fallback
        var grainId = GrainId.Create("note", TestSilo.UniqueId("reminder"));
        var start = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var entry = new ReminderEntry { GrainId = grainId, ReminderName = "tick", StartAt = start, Period = TimeSpan.FromMinutes(5) };

        var etag1 = await table.UpsertRow(entry) ?? throw new InvalidOperationException("no etag");
        var etag2 = await table.UpsertRow(entry) ?? throw new InvalidOperationException("no etag");
        Assert.NotEqual(etag1, etag2);

        var row = await table.ReadRow(grainId, "tick");
        Assert.NotNull(row);
        Assert.Equal(start, DateTime.SpecifyKind(row.StartAt, DateTimeKind.Utc));
        Assert.Equal(TimeSpan.FromMinutes(5), row.Period);
        Assert.Equal(etag2, row.ETag);
        Assert.Single((await table.ReadRows(grainId)).Reminders);

        // Both range queries: a non-wrapping one around the hash and the wrapping complement that excludes it.
        var hash = grainId.GetUniformHashCode();
        Assert.Contains((await table.ReadRows(hash - 1, hash)).Reminders, r => r.GrainId == grainId);
        Assert.DoesNotContain((await table.ReadRows(hash, hash - 1)).Reminders, r => r.GrainId == grainId);

        Assert.False(await table.RemoveRow(grainId, "tick", etag1)); // stale ETag
        Assert.True(await table.RemoveRow(grainId, "tick", etag2));
        Assert.Null(await table.ReadRow(grainId, "tick"));
    }
}
