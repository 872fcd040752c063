using System.Text.Json;
using Microsoft.Data.Sqlite;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Storage;
using StableSnn.TestSupport;

namespace StableSnn.Silo.Tests;

/// <summary>State written by an earlier version (StoredState/README.md) stays readable and means the same.</summary>
public class StoredStateTests
{
    static string Data(string file) => Path.Combine(AppContext.BaseDirectory, "StoredState", file);

    [Fact]
    public async Task Grains_read_the_state_commit_0b996dd_wrote_and_answer_as_it_did()
    {
        using var dir = new TempDirectory();
        File.Copy(Data("state-0b996dd.db"), Path.Combine(dir.Path, "stablesnn.db"));
        var host = await TestSilo.StartAsync(StorageOptions.SqliteIn(dir.Path));
        JsonNode actual;
        try
        {
            actual = await Answers(host.Services.GetRequiredService<IGrainFactory>());
        }
        finally
        {
            await TestSilo.StopAsync(host);
            SqliteConnection.ClearAllPools(); // pooled handles would keep the copy open
        }
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Data("answers-0b996dd.json")))!;

        Assert.Equal(["legacy-cancelled", "legacy-grid", "legacy-running", "legacy-search"], actual.AsObject().Select(p => p.Key));
        foreach (var (sweep, answer) in expected.AsObject())
            foreach (var (part, value) in answer!.AsObject())
                Assert.True(Covers(value, actual[sweep]![part]),
                    $"{sweep}.{part} differs:\nexpected {value?.ToJsonString()}\nactual   {actual[sweep]![part]?.ToJsonString()}");
    }

    /// <summary>Every value the capture recorded is answered the same; members added since (new properties) may be more.</summary>
    static bool Covers(JsonNode? expected, JsonNode? actual) => (expected, actual) switch
    {
        (JsonObject e, JsonObject a) => e.All(p => a.ContainsKey(p.Key) && Covers(p.Value, a[p.Key])),
        (JsonArray e, JsonArray a) => e.Count == a.Count && e.Zip(a).All(p => Covers(p.First, p.Second)),
        _ => JsonNode.DeepEquals(expected, actual),
    };

    /// <summary>The questions the capture asked (StoredState/Capture.cs.txt), in the same form.</summary>
    static async Task<JsonNode> Answers(IGrainFactory grains)
    {
        var answers = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in await grains.SweepRegistry().List())
        {
            var sweep = grains.GetGrain<ISweepGrain>(name);
            var experiments = new SortedDictionary<string, ExperimentSnapshot>(StringComparer.Ordinal);
            foreach (var phase in Enum.GetValues<ExperimentPhase>())
                foreach (var key in await sweep.ListExperiments(phase, 100))
                    experiments[key] = await grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
            answers[name] = new
            {
                Snapshot = await sweep.GetSnapshot(), Spec = await sweep.GetSpec(), Results = await sweep.GetResults(),
                Search = await sweep.GetSearch(), Experiments = experiments,
            };
        }
        return JsonNode.Parse(JsonSerializer.Serialize(answers))!;
    }
}
