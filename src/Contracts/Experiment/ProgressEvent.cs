using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableSnn.Contracts;

/// <summary>
/// Where a trainer process is; written on the wire in camelCase ("start", "epoch", ...). <see cref="CheckpointSetAside"/>:
/// a checkpoint did not load and was moved aside (<see cref="ProgressEvent.Checkpoint"/> where to,
/// <see cref="ProgressEvent.Message"/> why and what the attempt does instead); the engine records it in the attempt.
/// </summary>
public enum TrainerPhase { Start, Resume, Train, Epoch, Evaluate, Attack, Done, Error, Rung, CheckpointSetAside }

/// <summary>
/// One line of the trainer's stdout: a JSON object the node reads back with <see cref="TryParse"/> and relays to the
/// experiment grain. Unset fields are omitted.
/// </summary>
public sealed record ProgressEvent
{
    public required TrainerPhase Phase { get; init; }
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
    public int? Epoch { get; init; }
    public int? Epochs { get; init; }
    public int? Batch { get; init; }
    public int? Batches { get; init; }
    public double? Loss { get; init; }
    public double? Accuracy { get; init; }
    public double? Regulariser { get; init; }
    public double? ImagesPerSecond { get; init; }
    public string? Attack { get; init; }
    public string? Checkpoint { get; init; }
    public string? Message { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>The event a line holds, or null for anything else the process printed.</summary>
    public static ProgressEvent? TryParse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try { return JsonSerializer.Deserialize<ProgressEvent>(line, Json); }
        catch (JsonException) { return null; }
    }
}

/// <summary>Where progress goes: stdout for the node, a list in tests.</summary>
public interface IProgressSink
{
    void Report(ProgressEvent e);
}

public sealed class JsonLinesProgress(TextWriter writer) : IProgressSink
{
    readonly Lock _gate = new();

    public void Report(ProgressEvent e)
    {
        lock (_gate)
        {
            writer.WriteLine(e.ToJsonLine());
            writer.Flush();
        }
    }
}
