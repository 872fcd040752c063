using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableSnn.Trainer.Experiment;

/// <summary>
/// One line of the trainer's stdout: a JSON object the node relays to the experiment grain. Phases: start, train,
/// epoch, evaluate, attack, done, error. Unset fields are omitted.
/// </summary>
public sealed record ProgressEvent
{
    public required string Phase { get; init; }
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
    };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);
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
