using System.Text.Json;
using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>
/// How Contracts' records (plain .NET, no Orleans attributes) cross grain calls: as their own JSON, the form the
/// trainer reads and writes them in (spec.json, progress lines). Version tolerance is that of the files: members are
/// matched by name, unknown ones ignored, missing ones keep their defaults; no field list is copied here to drift.
/// Converters are registered by attribute, so every silo and client that loads this assembly has them.
/// </summary>
[GenerateSerializer, Immutable, Alias("StableSnn.ContractJson")]
public struct ContractJsonSurrogate
{
    [Id(0)] public string Json;
}

/// <summary>One Contracts record type as <see cref="ContractJsonSurrogate"/>.</summary>
public abstract class ContractJsonConverter<T> : IConverter<T, ContractJsonSurrogate> where T : class
{
    static readonly JsonSerializerOptions Compact = new(ContractJson.Options) { WriteIndented = false };

    public T ConvertFromSurrogate(in ContractJsonSurrogate surrogate) =>
        JsonSerializer.Deserialize<T>(surrogate.Json, Compact) ?? throw new InvalidDataException($"a {typeof(T).Name} arrived empty");

    public ContractJsonSurrogate ConvertToSurrogate(in T value) => new() { Json = JsonSerializer.Serialize(value, Compact) };
}

/// <summary>Trainer progress, relayed by the node to the experiment.</summary>
[RegisterConverter]
public sealed class ProgressEventConverter : ContractJsonConverter<ProgressEvent>;

/// <summary>The trainer's spec, from the sweep to the experiment and on to the node.</summary>
[RegisterConverter]
public sealed class ExperimentSpecConverter : ContractJsonConverter<ExperimentSpec>;
