using System.Diagnostics;

namespace StableSnn.Client.Tests;

/// <summary>Runs the real stablesnn executable built next to the tests.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Output) Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "stablesnn"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.Environment["COLUMNS"] = "200";
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new TimeoutException("stablesnn did not finish"); }
        return (process.ExitCode, stdout + stderr.Result);
    }
}
