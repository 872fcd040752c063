namespace StableSnn.Contracts;

/// <summary>
/// TorchSharp under glibc malloc fragments the heap by tens of MB per training step until the process runs out of
/// memory; tcmalloc keeps it flat and is also the fastest allocator measured (docs/native-torch.md). An allocator
/// can only be replaced before the process starts, so the trainer re-executes itself with LD_PRELOAD set.
/// </summary>
public static class Allocator
{
    public const string PathVariable = "STABLESNN_TCMALLOC";
    public const string AllowGlibcVariable = "STABLESNN_ALLOW_GLIBC_MALLOC";

    static readonly string[] Candidates =
    [
        "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
        "/usr/lib64/libtcmalloc_minimal.so.4",
        "/usr/lib/libtcmalloc_minimal.so.4",
    ];

    /// <summary>The tcmalloc library to preload: $STABLESNN_TCMALLOC if set, else the distribution's.</summary>
    public static string? FindTcmalloc()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        return Candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>True when tcmalloc is mapped into this process.</summary>
    public static bool IsTcmallocLoaded() =>
        OperatingSystem.IsLinux() && File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtcmalloc", StringComparison.Ordinal));

    /// <summary>Environment entries a launcher adds so a child trainer process starts under tcmalloc.</summary>
    public static IReadOnlyDictionary<string, string> PreloadEnvironment(string tcmallocPath)
    {
        var existing = Environment.GetEnvironmentVariable("LD_PRELOAD");
        var preload = string.IsNullOrEmpty(existing) ? tcmallocPath : $"{tcmallocPath}:{existing}";
        return new Dictionary<string, string> { ["LD_PRELOAD"] = preload };
    }
}
