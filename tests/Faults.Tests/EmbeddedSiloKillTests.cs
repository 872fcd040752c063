using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Faults.Tests;

/// <summary>SIGKILL of the CLI process that hosts the embedded silo (its trainers are left running), then a restart.</summary>
public sealed class EmbeddedSiloKillTests(ITestOutputHelper output)
{
    static readonly Dictionary<string, string> FastLeases = new()
    {
        // Embedded silo settings through the environment: a lost attempt is noticed after seconds, not 20 s leases.
        ["STABLESNN_Engine__LeaseDuration"] = "00:00:04",
        ["STABLESNN_Engine__RetryBaseDelay"] = "00:00:01",
    };

    [Fact]
    public async Task KilledEmbeddedSiloLeavesNoTrainerBehindAndTheRestartFinishesEachExperimentOnce()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        File.WriteAllText(work.File("silo.yaml"), Sweeps.Spec("silo-kill", toy.Root, [0, 0.5, 1]));
        var artifacts = work.File("state/artifacts");

        using (var first = Cli.Start(work.Path, FastLeases, "run", "silo.yaml", "--data-dir", "state", "--out", "out"))
        {
            // Mid-sweep: the second experiment's trainer has finished an epoch.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!Directory.Exists(Path.Combine(artifacts, "silo-kill/mnist/small-cnn/dlif/raw/a0.5/s42/checkpoints/epoch-0001")))
            {
                Assert.True(DateTime.UtcNow < deadline && !first.HasExited, first.Output);
                await Task.Delay(20);
            }
            var orphans = Trainers.Under(artifacts);
            Assert.NotEmpty(orphans);
            first.KillHard();
            output.WriteLine($"killed the CLI with {orphans.Count} trainer(s) running: {string.Join(", ", orphans)}");

            // The trainers notice their launcher is gone and stop (keeping their checkpoints) instead of writing on.
            var gone = DateTime.UtcNow.AddSeconds(15);
            while (Trainers.Under(artifacts).Count > 0 && DateTime.UtcNow < gone) await Task.Delay(100);
            Assert.Empty(Trainers.Under(artifacts));
        }

        using var second = Cli.Start(work.Path, FastLeases, "run", "silo.yaml", "--data-dir", "state", "--out", "out");
        int exit = await second.WaitWhileProgressingAsync(stalled: TimeSpan.FromMinutes(3), limit: TimeSpan.FromMinutes(8));
        output.WriteLine(second.Output);
        Assert.True(exit == 0, second.Output);
        Assert.Contains("3 completed, 0 failed", second.Output);
        var results = Sweeps.AssertEachCompletedOnce(work.File("out"), artifacts, experiments: 3);
        Assert.True(results.Values.Single(r => r.Spec.Alpha == 0.5).ResumedFromEpoch >= 1, "the cut-off experiment resumed from its checkpoint");
    }
}
