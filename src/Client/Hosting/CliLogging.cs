using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace StableSnn.Client.Hosting;

/// <summary>
/// The console belongs to the CLI's own lines: Orleans' and the host's logs go to DATA_DIR/logs/stablesnn.log, whose
/// path errors mention. --verbose also shows them on the console.
/// </summary>
public static class CliLogging
{
    public static string LogFile(ClusterSettings settings) => Path.Combine(Path.GetFullPath(settings.DataDir), "logs", "stablesnn.log");

    public static void Route(HostApplicationBuilder builder, ClusterSettings settings)
    {
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error); // start-up advice (server GC) is noise for a CLI
        // Serilog's AddSerilog lets everything through to its own logger (a Trace filter for its provider), so the file's
        // level is set here: Information keeps what a failure needs; Verbose wrote Orleans' every timer tick, ~24 MB an hour.
        var log = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.File(LogFile(settings), fileSizeLimitBytes: 20_000_000, rollOnFileSizeLimit: true, retainedFileCountLimit: 3)
            .CreateLogger();
        builder.Logging.AddSerilog(log, dispose: true);
        if (settings.Verbose) builder.Logging.AddSimpleConsole();
    }
}
