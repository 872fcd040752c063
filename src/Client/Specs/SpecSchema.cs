using System.Reflection;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;

namespace StableSnn.Client.Specs;

/// <summary>How the value of a spec key is read from YAML.</summary>
public enum SpecValue { Text, Whole, Long, Real, Flag, TextList, WholeList, RealList, Section, Space }

/// <summary>One key of a spec file section: its spelling, the record property it sets, and how its value is read.</summary>
public sealed record SpecKey(string Name, PropertyInfo Property, SpecValue Value);

/// <summary>
/// The keys of every section of a sweep spec file, taken from the records themselves: each settable property is a key,
/// spelled camelCase, read by its type; a nested record is a section of its own. A property of a type the binder cannot
/// read fails here (and so in a test), so a record never gains a setting the spec file cannot give. What reflection
/// cannot know is in the table below: a renamed key, and each section's example for messages.
/// </summary>
public static class SpecSchema
{
    /// <summary>Keys spelled otherwise than their property.</summary>
    static readonly Dictionary<(Type, string), string> Renamed = new()
    {
        [(typeof(SearchObjective), nameof(SearchObjective.Epsilon255))] = "epsilon",
    };

    /// <summary>A line of each section, shown when a section is written as something other than a mapping.</summary>
    static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(TrainingSettings)] = "batchSize: 64", [typeof(ResourceRequest)] = "slotKind: gpu",
        [typeof(SearchSpec)] = "algorithm: asha", [typeof(SearchObjective)] = "measure: worst-case",
        [typeof(AshaSettings)] = "eta: 3", [typeof(SearchBudget)] = "experiments: 12",
    };

    /// <summary>Sections whose keys are suggested for a misspelt or misplaced key of the sweep itself ("batchSize").</summary>
    public static readonly IReadOnlyList<Type> SuggestedFromTop = [typeof(TrainingSettings), typeof(ResourceRequest)];

    static readonly Dictionary<Type, IReadOnlyList<SpecKey>> Cache = [];

    /// <summary>The keys of <paramref name="section"/>, in declaration order.</summary>
    public static IReadOnlyList<SpecKey> KeysOf(Type section)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(section, out var keys)) return keys;
            keys = [.. section.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
                .OrderBy(p => p.MetadataToken)
                .Select(p => new SpecKey(Renamed.GetValueOrDefault((section, p.Name), Camel(p.Name)), p, ValueOf(section, p)))];
            return Cache[section] = keys;
        }
    }

    public static string ExampleOf(Type section) => Examples.TryGetValue(section, out var example)
        ? example : throw new InvalidOperationException($"spec section {section.Name} has no example line in SpecSchema");

    /// <summary>Every section reachable from <paramref name="root"/>, itself first.</summary>
    public static IEnumerable<Type> Sections(Type root)
    {
        yield return root;
        foreach (var key in KeysOf(root).Where(k => k.Value == SpecValue.Section))
            foreach (var nested in Sections(Nested(key)))
                yield return nested;
    }

    /// <summary>The record type of a section key.</summary>
    public static Type Nested(SpecKey key) => Nullable.GetUnderlyingType(key.Property.PropertyType) ?? key.Property.PropertyType;

    static SpecValue ValueOf(Type section, PropertyInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        if (type == typeof(string)) return SpecValue.Text;
        if (type == typeof(int)) return SpecValue.Whole;
        if (type == typeof(long)) return SpecValue.Long;
        if (type == typeof(double)) return SpecValue.Real;
        if (type == typeof(bool)) return SpecValue.Flag;
        if (type == typeof(string[])) return SpecValue.TextList;
        if (type == typeof(int[])) return SpecValue.WholeList;
        if (type == typeof(double[])) return SpecValue.RealList;
        if (type == typeof(SearchSpace)) return SpecValue.Space;
        if (Examples.ContainsKey(type)) return SpecValue.Section;
        throw new InvalidOperationException(
            $"{section.Name}.{p.Name} ({type.Name}) has no spec file key: teach SpecSchema to read it, or give its section an example line");
    }

    static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
