using System.Diagnostics;
using Npgsql;

namespace StableSnn.Faults.Tests;

/// <summary>
/// A PostgreSQL server of its own (initdb in a temp folder, own port, trust auth on loopback), so a test can crash and
/// restart it without touching the server other tests use. Runs as user postgres when the tests run as root.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    readonly string _dir, _bin;
    public int Port { get; } = Ports.Free();
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=stablesnn;Database=stablesnn;Timeout=5;Pooling=true";

    PrivatePostgres(string dir, string bin) { _dir = dir; _bin = bin; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).OrderDescending().FirstOrDefault(b => File.Exists(Path.Combine(b, "initdb")))
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/setup.sh");
        var dir = Directory.CreateTempSubdirectory("stablesnn-pg-").FullName;
        var pg = new PrivatePostgres(dir, bin);
        if (Environment.UserName == "root") await Exec("chown", "-R", "postgres:postgres", dir);
        await pg.Pg("initdb", "-D", pg.Data, "-U", "stablesnn", "--auth=trust", "--no-sync", "-E", "UTF8");
        await pg.StartServerAsync();
        await using (var c = new NpgsqlConnection($"Host=127.0.0.1;Port={pg.Port};Username=stablesnn;Database=postgres"))
        {
            await c.OpenAsync();
            await new NpgsqlCommand("CREATE DATABASE stablesnn", c).ExecuteNonQueryAsync();
        }
        return pg;
    }

    string Data => Path.Combine(_dir, "data");

    public Task StartServerAsync() => Pg("pg_ctl", "-D", Data, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary>A crash, not a shutdown: every connection is cut and the server recovers from its WAL on start.</summary>
    public Task CrashAsync() => Pg("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");

    Task Pg(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? Exec("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : Exec(Path.Combine(_bin, tool), args);

    static async Task Exec(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await CrashAsync(); } catch (InvalidOperationException) { } // already stopped
        Directory.Delete(_dir, recursive: true);
    }
}
