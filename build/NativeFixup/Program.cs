using StableSnn.NativeFixup;

// Usage: NativeFixup <libLibTorchSharp.so | directory>... [--libstdcxx PATH]
// Errors use MSBuild's canonical format so a refused fix fails the build with a readable message.
var paths = new List<string>();
string? libstdcxx = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--libstdcxx" && i + 1 < args.Length) libstdcxx = args[++i];
    else paths.Add(args[i]);
}
if (paths.Count == 0)
{
    Console.Error.WriteLine("usage: NativeFixup <libLibTorchSharp.so | directory>... [--libstdcxx PATH]");
    return 2;
}
if (!OperatingSystem.IsLinux())
{
    Console.WriteLine("NativeFixup: not Linux; nothing to do.");
    return 0;
}
libstdcxx ??= LibStdCxxVersionFix.FindSystemLibStdCxx();
if (libstdcxx is null)
{
    Console.WriteLine($"NativeFixup: warning NF002: no {LibStdCxxVersionFix.LibStdCxx} found on this machine; TorchSharp will not load until one is installed.");
    return 0;
}

var targets = paths.Select(p => Directory.Exists(p) ? Path.Combine(p, "libLibTorchSharp.so") : p).Where(File.Exists).ToList();
try
{
    foreach (var target in targets)
    {
        var (_, message) = LibStdCxxVersionFix.Apply(target, libstdcxx);
        Console.WriteLine($"NativeFixup: {message}");
    }
    return 0;
}
catch (Exception e) when (e is UnsafeFixException or InvalidDataException)
{
    Console.Error.WriteLine($"NativeFixup: error NF001: {e.Message}");
    return 1;
}
