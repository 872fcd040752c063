namespace StableSnn.NativeFixup;

public enum FixOutcome { NotNeeded, AlreadyWeak, Patched }

/// <summary>
/// libLibTorchSharp.so 0.107 is linked by GCC 13, which records a need for GLIBCXX_3.4.32 only because of an
/// unreferenced marker symbol. On an older libstdc++ (Debian 12 stops at 3.4.30) the loader rejects the whole
/// library. Marking such a requirement weak lets the loader continue; it is safe only when no relocation binds a
/// symbol of that version, so anything else is refused.
/// </summary>
public static class LibStdCxxVersionFix
{
    public const string LibStdCxx = "libstdc++.so.6";

    static readonly string[] SearchDirs =
        ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib"];

    public static string? FindSystemLibStdCxx() =>
        SearchDirs.Select(d => Path.Combine(d, LibStdCxx)).FirstOrDefault(File.Exists);

    /// <summary>Versions of libstdc++ that <paramref name="library"/> requires (strongly) and the system lacks.</summary>
    public static IReadOnlyList<VersionNeed> MissingNeeds(ElfFile library, IReadOnlySet<string> systemVersions) =>
        library.VersionNeeds()
            .Where(n => n.File == LibStdCxx && !systemVersions.Contains(n.Version))
            .ToList();

    /// <summary>Patches <paramref name="libraryPath"/> in place (by atomic replace) when needed and safe.</summary>
    public static (FixOutcome Outcome, string Message) Apply(string libraryPath, string systemLibStdCxxPath) =>
        Apply(libraryPath, new ElfFile(File.ReadAllBytes(systemLibStdCxxPath), systemLibStdCxxPath).DefinedVersions());

    public static (FixOutcome Outcome, string Message) Apply(string libraryPath, IReadOnlySet<string> systemVersions)
    {
        var library = new ElfFile(File.ReadAllBytes(libraryPath), libraryPath);
        var missing = MissingNeeds(library, systemVersions);
        if (missing.Count == 0)
            return (FixOutcome.NotNeeded, $"the system libstdc++ provides every version {Path.GetFileName(libraryPath)} needs; nothing to do.");
        if (missing.All(n => n.IsWeak))
            return (FixOutcome.AlreadyWeak, $"{string.Join(", ", missing.Select(n => n.Version))} already weak in {libraryPath}.");

        foreach (var need in missing)
        {
            var bound = library.SymbolsWithVersion(need.Index).Where(s => s.BoundByRelocation).Select(s => s.Name).ToList();
            if (bound.Count > 0)
                throw new UnsafeFixException(
                    $"{libraryPath} really uses {need.Version} symbols the system libstdc++ lacks ({string.Join(", ", bound)}). " +
                    "Weakening the requirement would crash at run time: install a libstdc++ from GCC 13 or newer " +
                    "(or use a newer base image) instead.");
        }

        foreach (var need in missing.Where(n => !n.IsWeak))
            library.SetFlags(need, (ushort)(need.Flags | ElfFile.VerFlagWeak));
        WriteAtomically(libraryPath, library.Bytes);
        return (FixOutcome.Patched,
            $"marked {string.Join(", ", missing.Select(n => n.Version))} weak in {libraryPath} " +
            $"(no relocation binds a symbol of that version; system libstdc++ lacks it).");
    }

    // A new file, then rename: never leaves a torn library, and breaks hard links into the NuGet cache.
    static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".nativefixup.tmp";
        File.WriteAllBytes(temp, bytes);
        File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
        File.Move(temp, path, overwrite: true);
    }
}

public sealed class UnsafeFixException(string message) : Exception(message);
