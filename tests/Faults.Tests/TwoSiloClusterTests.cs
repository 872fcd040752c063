using System.Text.RegularExpressions;
using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Faults.Tests;

/// <summary>
/// The operator's cluster path off Kubernetes: two real StableSnn.Silo processes on one machine (loopback, own ports)
/// sharing a PostgreSQL server of the test's own, a sweep submitted by the real CLI with --cluster, then faults: one
/// silo SIGKILLed while it trains (and started again), and the database crashed and restarted mid-sweep.
/// scripts/fault-loop.sh runs this N times in a row.
/// </summary>
public sealed class TwoSiloClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SweepOnTwoSiloProcessesSurvivesASiloKillAndADatabaseCrash()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        await using var database = await PrivatePostgres.StartAsync();
        var artifacts = work.File("artifacts");
        using var a = SiloProcess.Start("node-a", database.ConnectionString, artifacts, work.File("a"));
        using var b = SiloProcess.Start("node-b", database.ConnectionString, artifacts, work.File("b"));
        try
        {
            await a.WaitReadyAsync(TimeSpan.FromMinutes(2));
            await b.WaitReadyAsync(TimeSpan.FromMinutes(2));
            File.WriteAllText(work.File("pair.yaml"), Sweeps.Spec("pair", toy.Root, [0, 0.5, 1, 2, 4, 8]));

            var (submitted, text) = await Cli.RunAsync(work.Path, "submit", "pair.yaml", "--cluster", a.Gateway);
            Assert.True(submitted == 0, text);
            Assert.Contains($"6 experiments on the cluster at {a.Gateway}", text);

            // Node b's trainer has finished an epoch: kill b outright, with no chance to stop its trainer or tell anyone.
            string? cutOff = null;
            await Until(() => (cutOff = Trainers.Under(artifacts).Where(t => ChildOf(b, t.Pid)).Select(t => t.Out)
                .FirstOrDefault(d => Sweeps.NewestCompleteEpoch(d) >= 1)) is not null, "a trainer of node-b finished an epoch");
            b.Process.KillHard();
            int epochsBeforeKill = Sweeps.NewestCompleteEpoch(cutOff!);
            output.WriteLine($"node-b killed; its trainer in {cutOff} had {epochsBeforeKill} epoch(s) checkpointed");

            // The database crashes while node a works on; node b comes back a few seconds later.
            await Task.Delay(1500);
            await database.CrashAsync();
            output.WriteLine("database crashed");
            await Task.Delay(3000);
            await database.StartServerAsync();
            output.WriteLine("database restarted");
            b.Restart();
            await b.WaitReadyAsync(TimeSpan.FromMinutes(2));

            // Clients connect through either gateway; wait for the end through b's.
            string list = "";
            await Until(async () => Regex.IsMatch(list = (await Cli.RunAsync(work.Path, "list", "--cluster", b.Gateway)).Output, @"pair\s*│\s*Completed"),
                () => $"sweep completed; last list:\n{list}", TimeSpan.FromMinutes(4));
            var (exported, exportText) = await Cli.RunAsync(work.Path, "export", "pair", "--cluster", a.Gateway, "--out", "out");
            Assert.True(exported == 0, exportText);

            var results = Sweeps.AssertEachCompletedOnce(work.File("out"), artifacts, experiments: 6);
            // The cut-off experiment resumed from its checkpoint on whichever node took it over.
            Assert.True(results[cutOff!].ResumedFromEpoch >= epochsBeforeKill,
                $"resumed from epoch {results[cutOff!].ResumedFromEpoch}, {epochsBeforeKill} were checkpointed before the kill");
            var attempts = Sweeps.Attempts(work.File("out"));
            foreach (var at in attempts) output.WriteLine(at.ToString());
            Assert.Contains(attempts, x => x.Exit is "LeaseExpired" or "Interrupted" or "Crash"); // b's cut-off attempt is on record
            // Production log levels: no per-placement Polly lines (its warnings during the faults are welcome) and no
            // options dump in either silo's log.
            Assert.DoesNotContain("info: Polly", a.Process.Output + b.Process.Output);
            Assert.DoesNotContain("SiloOptionsLogger", a.Process.Output);
        }
        catch
        {
            foreach (var alpha in new[] { "0", "0.5", "1", "2", "4", "8" })
                output.WriteLine((await Cli.RunAsync(work.Path, "explain", $"pair/mnist/small-cnn/dlif/raw/a{alpha}/s42", "--cluster", a.Gateway)).Output);
            output.WriteLine($"--- node-a\n{a.Process.Output}\n--- node-b (killed)\n{b.PreviousOutput}\n--- node-b\n{b.Process.Output}");
            throw;
        }
    }

    /// <summary>Was this trainer launched by this silo's process (its parent in /proc/PID/stat)?</summary>
    static bool ChildOf(SiloProcess silo, int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ')[1] == silo.Process.Id.ToString(); }
        catch (IOException) { return false; } // exited meanwhile
    }

    static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), () => what, TimeSpan.FromMinutes(3));

    static async Task Until(Func<Task<bool>> condition, Func<string> what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not reached in {timeout}: {what()}");
            await Task.Delay(100);
        }
    }
}
