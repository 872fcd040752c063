using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableSnn.Trainer.Attacks;

/// <summary>JSON settings for suites and results: camelCase names, enums as strings.</summary>
public static class AttackJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
