namespace StableSnn.Client.Results;

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
    /// <summary>The attack name used for the accuracy without attack.</summary>
    public const string Clean = "clean";
}
