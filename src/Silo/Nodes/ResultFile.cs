using System.Text.Json;
using StableSnn.Grains.Model;

namespace StableSnn.Silo.Nodes;

/// <summary>Reads the numbers the sweep aggregates out of the trainer's result.json.</summary>
public static class ResultFile
{
    public static ExperimentOutcome Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var attacks = new List<AttackAccuracy>();
        var flags = new List<string>();
        if (root.TryGetProperty("attacks", out var suite) && suite.ValueKind == JsonValueKind.Object)
        {
            foreach (var a in suite.GetProperty("attacks").EnumerateArray())
            {
                var config = a.GetProperty("attack");
                attacks.Add(new AttackAccuracy(config.GetProperty("name").GetString()!, config.GetProperty("epsilon").GetDouble(),
                    a.GetProperty("accuracy").GetDouble(), a.GetProperty("examples").GetInt32(), a.GetProperty("sanity").GetBoolean()));
            }
            flags.AddRange(suite.GetProperty("flags").EnumerateArray().Select(f => f.GetProperty("code").GetString()!));
        }
        var timings = root.GetProperty("timings");
        return new ExperimentOutcome
        {
            CleanAccuracy = root.GetProperty("cleanTestAccuracy").GetDouble(),
            Attacks = [.. attacks], MaskingFlags = [.. flags.Distinct()],
            Checkpoint = root.GetProperty("checkpoint").GetString() ?? "",
            TrainSeconds = timings.GetProperty("trainSeconds").GetDouble(),
            TotalSeconds = timings.GetProperty("totalSeconds").GetDouble(),
        };
    }
}
