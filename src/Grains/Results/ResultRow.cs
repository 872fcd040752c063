namespace StableSnn.Grains.Results;

/// <summary>
/// One line of the results table: a grid point without its seed, under one attack (or "clean"), averaged over seeds.
/// Accuracies are fractions in [0, 1].
/// </summary>
public sealed record ResultRow(
    string Dataset,
    string Architecture,
    string Neuron,
    string Mode,
    double Alpha,
    string Attack,
    double Epsilon,
    double Mean,
    double Std,
    int Count,
    int Flagged,
    IReadOnlyList<string> Flags)
{
    /// <summary>The attack name used for the accuracy without attack, in tables, files and metrics alike.</summary>
    public const string Clean = "clean";

    /// <summary>"clean", or "NAME@EPSILON" for an attack (epsilon to 4 decimals): the metrics' attack label.</summary>
    public string Label => Attack == Clean ? Clean
        : $"{Attack}@{Epsilon.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}";
}
