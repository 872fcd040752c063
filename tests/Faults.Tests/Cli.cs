namespace StableSnn.Faults.Tests;

/// <summary>The real stablesnn CLI; embedded runs get free ports so they never meet another silo on this machine.</summary>
static class Cli
{
    public static RunningProcess Start(string workingDirectory, params string[] args) =>
        Start(workingDirectory, null, args);

    public static RunningProcess Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var all = args.ToList();
        if (!all.Contains("--cluster") && all[0] is "run" or "submit" or "list")
            all.AddRange(["--silo-port", Ports.Free().ToString(), "--gateway-port", Ports.Free().ToString()]);
        // The scenarios are written for one trainer at a time (which one a kill hits); the default is one slot per core.
        if (!all.Contains("--cluster") && !all.Contains("--cpu-slots") && all[0] is "run" or "submit")
            all.AddRange(["--cpu-slots", "1"]);
        return RunningProcess.Start(Executables.Cli, workingDirectory, all, environment);
    }

    public static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        int exit = await p.WaitAsync(TimeSpan.FromMinutes(3));
        return (exit, p.Output);
    }
}
