namespace StableSnn.Contracts;

/// <summary>
/// The per-example worst case at one epsilon: an image counts as robust only if it is classified correctly clean and
/// under every attack of the suite at that epsilon (sanity attacks and random noise aside).
/// </summary>
public sealed record WorstCase(float Epsilon, int Examples, int Correct, double Accuracy, IReadOnlyList<string> Attacks, string Mask)
{
    /// <summary>The row label of worst cases in tables and files.</summary>
    public const string Label = "worst-case";
}
