using System.Globalization;

namespace StableSnn.Bench;

/// <summary>
/// CPU time of a process and its direct children from /proc, e.g. a PostgreSQL postmaster and its backends, so the
/// database's share of each lifecycle is counted beside the silo's own. Exited children count through the parent's
/// cutime/cstime; live ones through their own stat line.
/// </summary>
public sealed class ProcessTreeCpu(int rootPid)
{
    const double TicksPerSecond = 100; // USER_HZ on Linux x86-64

    public TimeSpan Total()
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string[] f;
            try { f = Fields(File.ReadAllText(Path.Combine(dir, "stat"))); }
            catch (IOException) { continue; } // exited meanwhile
            // After the ")" that ends comm: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.
            if (pid == rootPid) ticks += Sum(f, 11, 12, 13, 14);
            else if (int.Parse(f[1], CultureInfo.InvariantCulture) == rootPid) ticks += Sum(f, 11, 12);
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    static double Sum(string[] f, params int[] at) => at.Sum(i => double.Parse(f[i], CultureInfo.InvariantCulture));
}
