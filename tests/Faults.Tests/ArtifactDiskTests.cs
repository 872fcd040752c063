using System.Diagnostics;
using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Faults.Tests;

/// <summary>
/// The artifact directory on a small tmpfs that fills up, then turns read-only, while checkpoints are written. Needs
/// mount privileges (root in CI); elsewhere it is reported as skipped, with the reason.
/// </summary>
public sealed class ArtifactDiskTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task FullThenReadOnlyArtifactDiskFailsTheAttemptAsEnvironmentAndTheRetryFinishesOnceFixed()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var artifacts = work.File("state/artifacts");
        Directory.CreateDirectory(artifacts);
        Skip.IfNot(Mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", artifacts), "mounting a tmpfs needs root (CI runs as root)");
        try
        {
            File.WriteAllText(work.File("disk.yaml"), Sweeps.Spec("disk", toy.Root, [0, 1]));
            using var run = Cli.Start(work.Path, new Dictionary<string, string> { ["STABLESNN_Engine__RetryBaseDelay"] = "00:00:03" },
                "run", "disk.yaml", "--data-dir", "state", "--out", "out");

            // Experiment alpha 0: the disk fills up after its first checkpoint.
            var first = Path.Combine(artifacts, "disk/mnist/small-cnn/dlif/raw/a0/s42");
            await Until(() => Directory.Exists(Path.Combine(first, "checkpoints/epoch-0001")), run);
            // Shrink to what is used plus a little: the next checkpoint cannot fit. (Retried: the trainer may be writing.)
            await Eventually(() =>
            {
                var drive = new DriveInfo(artifacts);
                return Mount("-o", $"remount,size={drive.TotalSize - drive.AvailableFreeSpace + 16 * 1024}", artifacts);
            }, "shrink the tmpfs", run);
            await Until(() => !Trainers.Under(first).Any(), run); // the attempt failed on the full disk
            Assert.True(Mount("-o", "remount,size=64m", artifacts));

            // Experiment alpha 1: the disk turns read-only after its first checkpoint.
            var second = Path.Combine(artifacts, "disk/mnist/small-cnn/dlif/raw/a1/s42");
            await Until(() => Directory.Exists(Path.Combine(second, "checkpoints/epoch-0001")), run);
            // A read-only remount is refused (EBUSY) while a file is open for writing: retried until the checkpoint is closed.
            await Eventually(() => Mount("-o", "remount,ro", artifacts), "remount the tmpfs read-only", run);
            await Until(() => !Trainers.Under(second).Any(), run);
            Assert.True(Mount("-o", "remount,rw", artifacts));

            int exit = await run.WaitWhileProgressingAsync(stalled: TimeSpan.FromMinutes(3), limit: TimeSpan.FromMinutes(8));
            output.WriteLine(run.Output);
            Assert.True(exit == 0, run.Output);
            var attempts = Sweeps.Attempts(work.File("out"));
            foreach (var a in attempts) output.WriteLine(a.ToString());
            // Each experiment: an attempt failed as an environment problem (not a crash, not bad input; a retry that
            // starts before the disk is writable again fails the same way), then exactly one success.
            Assert.All(attempts.GroupBy(a => a.Experiment), g => Assert.Contains(g, a => a.Exit == "Environment"));
            Assert.DoesNotContain(attempts, a => a.Exit is "Crash" or "BadInput");
            var results = Sweeps.AssertEachCompletedOnce(work.File("out"), artifacts, experiments: 2);
            Assert.All(results.Values, r => Assert.True(r.ResumedFromEpoch >= 1, $"alpha {r.Spec.Alpha} resumed from {r.ResumedFromEpoch}"));
        }
        finally
        {
            Mount("-o", "remount,rw", artifacts);
            Process.Start("umount", ["-l", artifacts])!.WaitForExit();
        }
    }

    static async Task Until(Func<bool> condition, RunningProcess run)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline && !run.HasExited, run.Output);
            await Task.Delay(10);
        }
    }

    static async Task Eventually(Func<bool> action, string what, RunningProcess run)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!action())
        {
            Assert.True(DateTime.UtcNow < deadline && !run.HasExited, $"could not {what}\n{run.Output}");
            await Task.Delay(20);
        }
    }

    static bool Mount(params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mount", args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; } // no mount binary
    }
}
