using StableSnn.Contracts;
using System.Diagnostics;
using StableSnn.Trainer.Experiment;

namespace StableSnn.Trainer.Native;

/// <summary>Makes sure the trainer runs under tcmalloc, re-executing itself with LD_PRELOAD when needed.</summary>
public static class AllocatorGuard
{
    const string ReexecMarker = "STABLESNN_TCMALLOC_REEXEC";

    /// <summary>Null to continue in this process; otherwise the exit code to return (the child's, or a refusal).</summary>
    public static int? EnsureTcmalloc(string[] args)
    {
        if (!OperatingSystem.IsLinux() || Allocator.IsTcmallocLoaded()) return null;
        if (Environment.GetEnvironmentVariable(Allocator.AllowGlibcVariable) == "1")
        {
            Console.Error.WriteLine("warning: running under glibc malloc; memory will grow during training (STABLESNN_ALLOW_GLIBC_MALLOC=1).");
            return null;
        }
        var tcmalloc = Allocator.FindTcmalloc();
        if (tcmalloc is null || Environment.GetEnvironmentVariable(ReexecMarker) == "1")
        {
            Console.Error.WriteLine(
                "error: tcmalloc is required (glibc malloc fragments without bound under TorchSharp). " +
                "Install it with 'sudo apt-get install libtcmalloc-minimal4', or point STABLESNN_TCMALLOC at " +
                "libtcmalloc_minimal.so.4; STABLESNN_ALLOW_GLIBC_MALLOC=1 runs without it at your own risk.");
            return ExitCodes.Environment;
        }

        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Under 'dotnet StableSnn.Trainer.dll' the host is the process; the assembly path comes first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in Allocator.PreloadEnvironment(tcmalloc)) start.Environment[k] = v;
        start.Environment[ReexecMarker] = "1";
        using var child = Process.Start(start)!;
        // Ctrl+C reaches the whole process group; the parent only waits for the child's verdict.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        child.WaitForExit();
        return child.ExitCode;
    }
}
