namespace StableSnn.Trainer.Diagnostics;

/// <summary>
/// The trainer process's resident memory as the kernel counts it (/proc/self/status), beside the managed heap, so a
/// node can see what one trainer costs and where a peak came from. Zero where /proc is missing (not Linux).
/// </summary>
public readonly record struct ProcessMemory(double ResidentMb, double PeakResidentMb, double AnonymousMb, double ManagedHeapMb)
{
    static readonly bool Tracing = Environment.GetEnvironmentVariable("STABLESNN_TRACE_MEMORY") == "1";

    public static ProcessMemory Now()
    {
        double rss = 0, hwm = 0, anon = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:")) rss = Kb(line);
                else if (line.StartsWith("VmHWM:")) hwm = Kb(line);
                else if (line.StartsWith("RssAnon:")) anon = Kb(line);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new(rss, hwm, anon, GC.GetTotalMemory(false) / 1048576.0);
    }

    /// <summary>With STABLESNN_TRACE_MEMORY=1, one stderr line per call: a diagnostic for finding a peak, not progress.</summary>
    public static void Trace(string where)
    {
        if (!Tracing) return;
        var m = Now();
        Console.Error.WriteLine($"memory {where}: rss {m.ResidentMb:F0} MB (peak {m.PeakResidentMb:F0}, anon {m.AnonymousMb:F0}), managed {m.ManagedHeapMb:F0} MB");
    }

    static double Kb(string line) => double.Parse(line.Split(':')[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
}
