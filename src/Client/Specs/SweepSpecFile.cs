using System.Globalization;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;
using StableSnn.Grains.Search;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StableSnn.Client.Specs;

/// <summary>
/// Reads a sweep spec from YAML (camelCase keys, as in examples/quickstart.yaml) and checks it with
/// <see cref="SweepValidation"/>. Every problem is reported at once in a <see cref="SpecFileException"/>:
/// an operator fixing a file should not have to retry once per mistake.
/// </summary>
public static class SweepSpecFile
{
    public const int DefaultMaxExperiments = 100_000;

    /// <summary>
    /// Loads and validates <paramref name="path"/>. Omitted keys keep the <see cref="SweepSpec"/> defaults; a single
    /// value where a list is expected is a one-element list; a relative <c>training.dataRoot</c> is resolved against
    /// the spec file's folder. A search whose plan finishes fewer than two trials is refused (<see cref="SearchPlanner"/>)
    /// unless <paramref name="refuseUnworkablePlan"/> is off (`stablesnn plan` shows such a plan and its refusal).
    /// </summary>
    /// <exception cref="SpecFileException">The file is missing, empty, not YAML, or describes an invalid sweep.</exception>
    public static SweepSpec Load(string path, int maxExperiments = DefaultMaxExperiments, bool refuseUnworkablePlan = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw Fail(path, Directory.Exists(path)
                ? $"spec file '{path}' is a folder; give the path of a .yaml file"
                : $"spec file '{path}' does not exist; check the path (it is relative to the current folder)");

        var text = File.ReadAllText(path);
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw Fail(path, Malformed(path, text, e));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some broken flow lists ("[a" then a new key).
            throw Fail(path, Malformed(path, scanner.CurrentPosition, "unexpected text (is a '[' or '{' left unclosed?)"));
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
            throw Fail(path, $"spec file '{path}' is empty; write at least name, datasets, architectures and alphas (see examples/quickstart.yaml)");
        if (stream.Documents.Count > 1)
            throw Fail(path, $"spec file '{path}' holds {stream.Documents.Count} YAML documents (separated by '---'); keep one sweep per file");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Fail(path, $"spec file '{path}' must be a mapping of keys such as 'name: ...' and 'datasets: [...]' " +
                             $"but its top level is {Describe(stream.Documents[0].RootNode)}; write one 'key: value' per line");

        var reader = new Reader();
        var spec = reader.ReadSpec(root);
        spec = spec with { Training = ResolveDataRoot(spec.Training, path) };
        // A spec file's search decides its cohorts by its plan unless it says otherwise (null stays async for stored searches).
        if (spec.Search is { Asha: { Cohorts: null } asha } withAsha)
            spec = spec with { Search = withAsha with { Asha = asha with { Cohorts = AshaSettings.Auto } } };

        var errors = new List<string>(reader.Errors);
        // A field that could not be read already has its message; validation would only add a misleading second one.
        errors.AddRange(SweepValidation.Validate(spec, maxExperiments).Where(e => !reader.FailedFields.Contains(FieldOf(e))));
        if (errors.Count == 0 && refuseUnworkablePlan && spec.Search is { } search && SearchPlanner.Refusal(search, spec.Epochs) is { } refusal)
            errors.Add(refusal);
        if (errors.Count > 0) throw new SpecFileException(path, errors);
        return spec;
    }

    private static SpecFileException Fail(string path, string error) => new(path, [error]);

    private static string Malformed(string path, Mark at, string reason) =>
        $"spec file '{path}' is not valid YAML at line {at.Line}, column {at.Column}: {reason}; " +
        "fix the syntax there (indent with spaces, one 'key: value' per line, lists as [a, b] or as '- a' lines)";

    private static string Malformed(string path, string text, YamlException e)
    {
        var reason = Reason(e);
        const string duplicate = "Duplicate key ";
        if (reason.StartsWith(duplicate, StringComparison.Ordinal))
            return $"{reason[duplicate.Length..]}: is given more than once{At(e.Start)}; keep one";
        // The parser reports a tab at the start of the enclosing block; the line that holds it is more use.
        if (reason.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            var lines = text.Split('\n');
            var line = Array.FindIndex(lines, l => l.TrimStart(' ').StartsWith('\t'));
            if (line >= 0)
                return $"spec file '{path}' is not valid YAML at line {line + 1}: it is indented with a tab; indent with spaces only";
        }
        return Malformed(path, e.Start, reason);
    }

    private static string FieldOf(string error)
    {
        var colon = error.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? "" : error[..colon];
    }

    // YamlException.Message repeats the marks as "(Line: 3, Col: 5, Idx: 20) - (...): reason"; keep only the reason.
    private static string Reason(YamlException e)
    {
        var message = e.Message;
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        var reason = message.StartsWith('(') && marker >= 0 ? message[(marker + 3)..] : message;
        return reason.TrimEnd('.', ' ');
    }

    private static TrainingSettings ResolveDataRoot(TrainingSettings training, string specPath)
    {
        var root = training.DataRoot;
        if (string.IsNullOrWhiteSpace(root)) return training;
        if (root == "~" || root.StartsWith("~/", StringComparison.Ordinal))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), root.Length > 2 ? root[2..] : "");
        if (!Path.IsPathRooted(root))
            root = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath))!, root);
        return training with { DataRoot = Path.GetFullPath(root) };
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode s => $"the single value '{s.Value}'",
        _ => "something else",
    };

    private static string At(YamlNode node) => At(node.Start);

    private static string At(Mark mark) => $" (line {mark.Line}, column {mark.Column})";

    /// <summary>The closest known key to a misspelt one, or null when none is close.</summary>
    internal static string? Suggest(string key, IEnumerable<string> known)
    {
        // Compared without case, separators and section ("batch_size" matches "training.batchSize").
        static string Normal(string s) =>
            new(s[(s.LastIndexOf('.') + 1)..].Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var normal = Normal(key);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Levenshtein(normal, Normal(candidate));
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return bestDistance <= Math.Max(2, normal.Length / 3) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>Turns the YAML tree into a <see cref="SweepSpec"/>, collecting one message per unreadable value.</summary>
    private sealed class Reader
    {
        public List<string> Errors { get; } = [];

        /// <summary>Fields (YAML spelling) whose value could not be read.</summary>
        public HashSet<string> FailedFields { get; } = new(StringComparer.Ordinal);

        /// <summary>The whole spec: the sweep's keys, and those of its sections (<see cref="SpecSchema"/>).</summary>
        public SweepSpec ReadSpec(YamlMappingNode root)
        {
            // A section's key written at the top ("batchSize") is suggested where it belongs ("training.batchSize").
            var elsewhere = SpecSchema.KeysOf(typeof(SweepSpec))
                .Where(k => k.Value == SpecValue.Section && SpecSchema.SuggestedFromTop.Contains(SpecSchema.Nested(k)))
                .SelectMany(k => SpecSchema.KeysOf(SpecSchema.Nested(k)).Select(n => $"{k.Name}.{n.Name}"));
            return (SweepSpec)Bind(typeof(SweepSpec), "", root, elsewhere);
        }

        /// <summary>A record from a mapping: each known key read by its type, omitted ones keep the record's defaults.</summary>
        private object Bind(Type type, string prefix, YamlMappingNode map, IEnumerable<string> elsewhere)
        {
            var keys = SpecSchema.KeysOf(type);
            var value = Activator.CreateInstance(type)!;
            foreach (var (field, node) in Entries(map, prefix, [.. keys.Select(k => k.Name)], elsewhere))
            {
                var key = keys.First(k => k.Name == field[prefix.Length..]);
                if (Read(key, field, node) is { } read) key.Property.SetValue(value, read);
            }
            return value;
        }

        /// <summary>One key's value; null keeps the default (absent, or unreadable with the reason recorded).</summary>
        private object? Read(SpecKey key, string field, YamlNode node) => key.Value switch
        {
            SpecValue.Text => Text(field, node),
            SpecValue.Whole => Whole(field, node),
            SpecValue.Long => Long(field, node),
            SpecValue.Real => Real(field, node),
            SpecValue.Flag => Flag(field, node),
            SpecValue.TextList => List(field, node, Text),
            SpecValue.WholeList => List(field, node, Whole),
            SpecValue.RealList => List(field, node, Real),
            SpecValue.Section => Section(field, node, SpecSchema.Nested(key)),
            SpecValue.Space => ReadSpace(node),
            _ => throw new InvalidOperationException($"{field}: no reader for {key.Value}"),
        };

        /// <summary>A nested section; null when absent or not a mapping (the reason recorded).</summary>
        private object? Section(string field, YamlNode node, Type type) =>
            Section(field, node, [.. SpecSchema.KeysOf(type).Select(k => k.Name)], SpecSchema.ExampleOf(type)) is { } map
                ? Bind(type, field + ".", map, []) : null;

        /// <summary>
        /// One entry per searched value: a list is a choice of whole numbers ([4, 6, 8]); a mapping is a range with low and
        /// high, log-scaled by default for alpha and learningRate (their effects span decades), and for alpha a
        /// zeroProbability of proposing exactly 0 (no regulariser).
        /// </summary>
        // A range is how a dimension is written (it becomes a SearchDimension), so its keys are listed here.
        private static readonly string[] RangeKeys = ["low", "high", "scale", "zeroProbability"];

        private SearchSpace? ReadSpace(YamlNode node)
        {
            if (Section("search.space", node, SearchSpec.Searchable, "alpha: {low: 0.01, high: 10}") is not { } map) return null;
            var dimensions = new List<SearchDimension>();
            foreach (var (key, value) in Entries(map, "search.space.", SearchSpec.Searchable, []))
            {
                var name = key["search.space.".Length..];
                if (value is YamlSequenceNode) { if (List(key, value, Whole) is { } choices) dimensions.Add(SearchDimension.Choice(name, choices)); continue; }
                if (Section(key, value, RangeKeys, "low: 0.01") is not { } range) continue;
                double low = double.NaN, high = double.NaN, zero = 0;
                string scale = name is "alpha" or "learningRate" ? "log" : "linear";
                foreach (var (field, v) in Entries(range, key + ".", RangeKeys, []))
                {
                    switch (field[(key.Length + 1)..])
                    {
                        case "low": low = Real(field, v) ?? low; break;
                        case "high": high = Real(field, v) ?? high; break;
                        case "zeroProbability": zero = Real(field, v) ?? zero; break;
                        case "scale": scale = Text(field, v) ?? scale; break;
                    }
                }
                if (scale is not ("log" or "linear")) { Fail(key + ".scale", $"'{scale}' is not a scale; use log or linear"); continue; }
                dimensions.Add(scale == "log" ? SearchDimension.LogUniform(name, low, high, zero)
                    : SearchDimension.Uniform(name, low, high) with { ZeroProbability = zero });
            }
            return new SearchSpace([.. dimensions]);
        }

        /// <summary>A nested section's mapping; null (with the reason recorded unless it is empty) otherwise.</summary>
        private YamlMappingNode? Section(string field, YamlNode node, IReadOnlyList<string> keys, string example)
        {
            if (IsNull(node)) return null;
            if (node is YamlMappingNode map) return map;
            Fail(field, $"expected settings such as '{example}' indented below it, found {Describe(node)}{At(node)}; " +
                        $"use keys among {string.Join(", ", keys)}");
            return null;
        }

        private bool? Flag(string field, YamlNode node)
        {
            var text = Text(field, node);
            if (text is null) return null;
            if (bool.TryParse(text.Trim(), out var value)) return value;
            Fail(field, $"'{text}' is not true or false{At(node)}");
            return null;
        }

        /// <summary>
        /// The known entries of a mapping as (qualified key, value); reports unknown keys with the closest known one
        /// (<paramref name="elsewhere"/> are qualified keys that belong to another section, suggested as such).
        /// </summary>
        private IEnumerable<(string Key, YamlNode Value)> Entries(
            YamlMappingNode map, string prefix, IReadOnlyList<string> known, IEnumerable<string> elsewhere)
        {
            foreach (var (keyNode, value) in map.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { } key })
                {
                    Errors.Add($"{prefix}{Describe(keyNode)}: is not a key{At(keyNode)}; keys are plain names such as {known[0]}");
                    continue;
                }
                if (known.Contains(key, StringComparer.Ordinal))
                {
                    yield return (prefix + key, value);
                    continue;
                }
                var suggestion = Suggest(key, known.Select(k => prefix + k).Concat(elsewhere));
                Errors.Add(suggestion is null
                    ? $"{prefix}{key}: unknown key{At(keyNode)}; known keys are {string.Join(", ", known)}"
                    : $"{prefix}{key}: unknown key; did you mean '{suggestion}'?{At(keyNode)}");
            }
        }

        private T[]? List<T>(string field, YamlNode node, Func<string, YamlNode, T?> item) where T : struct
        {
            if (Items(field, node) is not { } nodes) return null;
            var values = nodes.Select(n => item(field, n)).ToList(); // every item read, so every bad one is reported
            return values.All(v => v.HasValue) ? values.Select(v => v.GetValueOrDefault()).ToArray() : null;
        }

        private string[]? List(string field, YamlNode node, Func<string, YamlNode, string?> item)
        {
            if (Items(field, node) is not { } nodes) return null;
            var values = nodes.Select(n => item(field, n)).ToList();
            return values.Any(v => v is null) ? null : values.Select(v => v!).ToArray();
        }

        // The item nodes of a list (a lone value is a list of one); null when absent (keep the default) or unusable.
        private List<YamlNode>? Items(string field, YamlNode node)
        {
            if (IsNull(node)) return null;
            if (node is YamlMappingNode)
            {
                Fail(field, $"expected a list such as [a, b], found a mapping{At(node)}; write the values as [a, b] or as '- a' lines");
                return null;
            }
            var nodes = node is YamlSequenceNode sequence ? sequence.Children.ToList() : [node];
            var empty = nodes.FindIndex(IsNull);
            if (empty >= 0)
            {
                Fail(field, $"item {empty + 1} is empty{At(nodes[empty])}; remove it or give it a value");
                return null;
            }
            return nodes;
        }

        private string? Text(string field, YamlNode node)
        {
            if (IsNull(node)) return null;
            if (node is YamlScalarNode { Value: { } value }) return value;
            Fail(field, $"expected a single value, found {Describe(node)}{At(node)}; write one value after '{Last(field)}:'");
            return null;
        }

        private int? Whole(string field, YamlNode node) => (int?)Integer(field, node, int.MinValue, int.MaxValue);

        private long? Long(string field, YamlNode node) => Integer(field, node, long.MinValue, long.MaxValue);

        private long? Integer(string field, YamlNode node, long min, long max)
        {
            var text = Text(field, node);
            if (text is null) return null;
            if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                return value;
            Fail(field, $"'{text}' is not a whole number{At(node)}; write digits only, e.g. 100");
            return null;
        }

        private double? Real(string field, YamlNode node)
        {
            var text = Text(field, node);
            if (text is null) return null;
            var trimmed = text.Trim();
            // YAML's spellings of the special values; validation then rejects them with its own message.
            switch (trimmed)
            {
                case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF": return double.PositiveInfinity;
                case "-.inf" or "-.Inf" or "-.INF": return double.NegativeInfinity;
                case ".nan" or ".NaN" or ".NAN": return double.NaN;
            }
            if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
            Fail(field, $"'{text}' is not a number{At(node)}; write a decimal with a '.' point, e.g. 0.5");
            return null;
        }

        private void Fail(string field, string problem)
        {
            FailedFields.Add(field);
            Errors.Add($"{field}: {problem}");
        }

        private static string Last(string field) => field[(field.LastIndexOf('.') + 1)..];
    }
}
