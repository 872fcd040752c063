using System.Diagnostics;

namespace StableSnn.Client.Tests;

/// <summary>
/// Headless Chromium started by a test: the DOM after the page's script ran, and a screenshot. Offline (file:// URL,
/// no proxy, no background networking), bounded in time. A machine without Chromium fails the test with how to get it
/// (scripts/setup.sh installs the Debian package `chromium`); it never passes silently.
/// </summary>
internal static class HeadlessChromium
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static string Executable()
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        Assert.Fail("Chromium is not installed, so report.html cannot be rendered: run scripts/setup.sh (it installs the Debian package " +
                    "'chromium': sudo apt-get install -y chromium)");
        return "";
    }

    /// <summary>The serialised DOM of <paramref name="file"/> (plus an optional #fragment) after its scripts ran.</summary>
    public static string DumpDom(string file, string fragment = "") =>
        Run(["--dump-dom", new Uri(Path.GetFullPath(file)) + fragment]);

    public static void Screenshot(string file, string png, int width = 1400, int height = 2000)
    {
        Run([$"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(Path.GetFullPath(file)).ToString()]);
        Assert.True(File.Exists(png), $"chromium wrote no screenshot at {png}");
    }

    static string Run(string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("stablesnn-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         "--headless=new", "--no-sandbox", "--disable-gpu", "--no-proxy-server", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--allow-file-access-from-files", $"--user-data-dir={profile.FullName}",
                         "--virtual-time-budget=5000",
                     })
                start.ArgumentList.Add(a);
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish within {Timeout.TotalSeconds} s: {string.Join(' ', args)}");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } // chromium's helpers may still hold a lock file
        }
    }
}
