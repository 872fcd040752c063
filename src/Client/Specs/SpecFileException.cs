namespace StableSnn.Client.Specs;

/// <summary>
/// A sweep spec file that cannot be used. <see cref="Errors"/> holds one message per problem, each starting with the
/// field as spelled in the file (or "spec file" for problems with the file itself) and ending with the fix.
/// </summary>
public sealed class SpecFileException : Exception
{
    public SpecFileException(string path, IReadOnlyList<string> errors)
        : base(Describe(path, errors))
    {
        Path = path;
        Errors = errors;
    }

    /// <summary>The spec file as the caller named it.</summary>
    public string Path { get; }

    public IReadOnlyList<string> Errors { get; }

    private static string Describe(string path, IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var header = errors.Count == 1
            ? $"spec file '{path}' has 1 problem:"
            : $"spec file '{path}' has {errors.Count} problems:";
        return header + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e));
    }
}
