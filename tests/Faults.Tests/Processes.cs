using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace StableSnn.Faults.Tests;

static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A short command run to its end (podman, chown, find): its exit code and what it printed.</summary>
static class Command
{
    /// <summary>Exit code and everything it printed (standard output, then standard error).</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = Exec(file, args);
        return (code, stdout + stderr);
    }

    /// <summary>Its standard output; a non-zero exit throws with its standard error.</summary>
    public static string Check(string file, params string[] args)
    {
        var (code, stdout, stderr) = Exec(file, args);
        return code == 0 ? stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {stderr}");
    }

    static (int Code, string Stdout, string Stderr) Exec(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}

/// <summary>A real process whose output is collected as it runs (so a test can wait for a line and show it all on failure).</summary>
public sealed class RunningProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    RunningProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static RunningProcess Start(string file, string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["COLUMNS"] = "200";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return new RunningProcess(Process.Start(start)!);
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed, children are left behind (as when a node dies).</summary>
    public void KillHard() { if (!_process.HasExited) _process.Kill(entireProcessTree: false); _process.WaitForExit(); }

    /// <summary>
    /// Waits for the process to exit while it shows progress: fails when its output (timestamps left out, so the
    /// CLI's periodic status line counts only when what it says changes) stays the same for <paramref name="stalled"/>,
    /// or after <paramref name="limit"/> in all. On a crowded machine a sweep is slower but still moves; a fixed
    /// deadline fails it, a stall does not.
    /// </summary>
    public async Task<int> WaitWhileProgressingAsync(TimeSpan stalled, TimeSpan limit)
    {
        var started = DateTime.UtcNow;
        var seen = Progress();
        var changed = DateTime.UtcNow;
        while (!_process.HasExited)
        {
            using var tick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _process.WaitForExitAsync(tick.Token); }
            catch (OperationCanceledException) { }
            var now = Progress();
            if (now != seen) { seen = now; changed = DateTime.UtcNow; }
            var why = DateTime.UtcNow - changed > stalled ? $"showed no progress for {stalled}"
                : DateTime.UtcNow - started > limit ? $"did not exit in {limit} although it progressed" : null;
            if (why is not null && !_process.HasExited)
            {
                _process.Kill(true);
                throw new TimeoutException($"{_process.StartInfo.FileName} {why}:\n{Output}");
            }
        }
        _process.WaitForExit(); // drains the output events
        return _process.ExitCode;
    }

    static readonly System.Text.RegularExpressions.Regex Clock = new(@"\b\d\d:\d\d:\d\d\b|ETA [^;,]*");

    string Progress() => Clock.Replace(Output, "");

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _process.Kill(true); throw new TimeoutException($"{_process.StartInfo.FileName} did not exit in {timeout}:\n{Output}"); }
        _process.WaitForExit(); // drains the output events
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

/// <summary>The real executables: the stablesnn CLI beside the tests, the silo from its build output.</summary>
static class Executables
{
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "stablesnn");

    public static string Silo => typeof(Executables).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "SiloBuildPath").Value!;
}

/// <summary>Trainer processes, found by the attempt directory on their command line (`train --spec S --out DIR`).</summary>
static class Trainers
{
    public static IReadOnlyList<(int Pid, string Out)> Running()
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string[] args;
            try { args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (args.Length < 2 || !args[0].EndsWith("StableSnn.Trainer", StringComparison.Ordinal)) continue;
            int i = Array.IndexOf(args, "--out");
            if (i > 0 && i + 1 < args.Length) found.Add((pid, args[i + 1]));
        }
        return found;
    }

    public static IReadOnlyList<(int Pid, string Out)> Under(string root) =>
        Running().Where(t => t.Out.StartsWith(root, StringComparison.Ordinal)).ToList();

    public static void Kill(int pid)
    {
        try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
    }
}
