using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableSnn.Contracts;

/// <summary>JSON settings of everything the trainer writes or reads (specs, suites, results): camelCase names, enums as strings.</summary>
public static class ContractJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
