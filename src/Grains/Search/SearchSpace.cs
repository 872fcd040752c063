using System.Globalization;

namespace StableSnn.Grains.Search;

/// <summary>The searched hyper-parameters, in a fixed order: a <see cref="SearchPoint"/> holds one value per dimension.</summary>
[GenerateSerializer, Alias("StableSnn.SearchSpace")]
public sealed record SearchSpace
{
    [Id(0)] public SearchDimension[] Dimensions { get; init; } = [];

    public SearchSpace() { }

    public SearchSpace(params SearchDimension[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        Dimensions = dimensions;
    }

    public int IndexOf(string name)
    {
        for (int i = 0; i < Dimensions.Length; i++)
            if (string.Equals(Dimensions[i].Name, name, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>A point drawn from the prior (every dimension independently).</summary>
    public SearchPoint Sample(Random random) => new(Dimensions.Select(d => d.Sample(random)).ToArray());

    /// <summary>Every problem, each starting with its field ("search.space.alpha.low: must be > 0 ...").</summary>
    public IReadOnlyList<string> Validate(string prefix = "search.space")
    {
        var errors = new List<string>();
        if (Dimensions.Length == 0) errors.Add($"{prefix}: is empty; search at least alpha");
        foreach (var name in Dimensions.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            errors.Add($"{prefix}.{name}: is given more than once; keep one");
        foreach (var dimension in Dimensions) errors.AddRange(dimension.Validate(prefix));
        return errors;
    }
}

/// <summary>One proposal: a value per dimension of its space, in the space's order. Equal when the values are.</summary>
public sealed class SearchPoint(IReadOnlyList<double> values) : IEquatable<SearchPoint>
{
    public IReadOnlyList<double> Values { get; } = values ?? throw new ArgumentNullException(nameof(values));

    public double this[int index] => Values[index];

    public bool Equals(SearchPoint? other) => other is not null && Values.SequenceEqual(other.Values);
    public override bool Equals(object? obj) => Equals(obj as SearchPoint);
    public override int GetHashCode() => Values.Aggregate(0, (hash, v) => HashCode.Combine(hash, v));
    public override string ToString() => $"({string.Join(", ", Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))})";
}

/// <summary>A finished trial as the proposers see it: where it was and how well it did (higher is better; NaN = failed).</summary>
public sealed record SearchObservation(SearchPoint Point, double Objective);
