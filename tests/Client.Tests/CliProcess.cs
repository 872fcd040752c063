using System.Diagnostics;

namespace StableSnn.Client.Tests;

/// <summary>Runs the real stablesnn executable built next to the tests.</summary>
internal static class CliProcess
{
    static int FreePort() => InProcessSilo.FreePort();

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    /// <param name="environment">Variables set for the process (e.g. STABLESNN_TLS_CERT), beside the inherited ones.</param>
    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "stablesnn"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (var a in args) start.ArgumentList.Add(a);
        if (args.Length > 0 && args[0] is "run" or "submit" or "list" or "results" or "export" or "report" && !args.Contains("--cluster"))
        {
            // Free ports, so tests never collide with an embedded silo someone runs on this machine.
            start.ArgumentList.Add("--silo-port"); start.ArgumentList.Add(FreePort().ToString());
            start.ArgumentList.Add("--gateway-port"); start.ArgumentList.Add(FreePort().ToString());
        }
        return Process.Start(start)!;
    }

    public static (int ExitCode, string Output) Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static (int ExitCode, string Output) Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new TimeoutException("stablesnn did not finish"); }
        return (process.ExitCode, stdout + stderr.Result);
    }
}
