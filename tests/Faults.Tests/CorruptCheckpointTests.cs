using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Faults.Tests;

/// <summary>
/// A checkpoint damaged between attempts, under the real CLI, embedded silo and trainer: the next attempt sets it aside,
/// says why in the attempt (explain shows it) and trains to completion, instead of failing the same way every retry.
/// </summary>
public sealed class CorruptCheckpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_truncated_model_bin_between_attempts_is_set_aside_recorded_and_the_next_attempt_completes()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        // Two attempts only: the one killed and the one that must cope with the damaged checkpoint.
        File.WriteAllText(work.File("corrupt.yaml"), Sweeps.Spec("corrupt", toy.Root, [0], maxAttempts: 2));
        var artifacts = work.File("state/artifacts");
        var truncated = new List<string>();
        void TruncateNewestModel(string dir)
        {
            var newest = Path.Combine(dir, "checkpoints", $"epoch-{Sweeps.NewestCompleteEpoch(dir):D4}", "model.bin");
            using (var file = File.Open(newest, FileMode.Open)) file.SetLength(file.Length / 2);
            lock (truncated) truncated.Add(newest);
        }

        int exit;
        string cli;
        IReadOnlyList<Kill> kills;
        await using (var killer = new TrainerKiller(artifacts, [KillPoint.Training], Environment.TickCount, TruncateNewestModel))
        {
            using var run = Cli.Start(work.Path, "run", "corrupt.yaml", "--data-dir", "state", "--out", "out");
            exit = await run.WaitAsync(TimeSpan.FromMinutes(6));
            cli = run.Output;
            await killer.DisposeAsync();
            kills = killer.Kills;
        }
        foreach (var k in kills) output.WriteLine(k.ToString());
        Assert.True(exit == 0, cli);
        Assert.Contains("1 completed, 0 failed", cli);
        var kill = Assert.Single(kills);
        Assert.Single(truncated);

        var results = Sweeps.AssertEachCompletedOnce(work.File("out"), artifacts, experiments: 1);
        Assert.Equal(["Crash", "Success"], Sweeps.Attempts(work.File("out")).Select(a => a.Exit));
        var result = results[kill.Directory];
        // The truncated checkpoint (the newest) was passed over for the one before it, or for a fresh start.
        Assert.Equal(kill.CompleteEpochs - 1, result.ResumedFromEpoch);
        var reason = File.ReadAllText(Path.Combine(kill.Directory, "set-aside", $"epoch-{kill.CompleteEpochs:D4}", "reason.txt"));
        Assert.Contains("model.bin does not load", reason);

        var key = Path.GetRelativePath(artifacts, kill.Directory);
        var (explainExit, explain) = await Cli.RunAsync(work.Path, "explain", key, "--data-dir", "state",
            "--silo-port", Ports.Free().ToString(), "--gateway-port", Ports.Free().ToString());
        output.WriteLine(explain);
        Assert.True(explainExit == 0, explain);
        var expected = kill.CompleteEpochs > 1 ? $"resuming after epoch {kill.CompleteEpochs - 1}" : "training from scratch";
        // The console wraps long lines (at any character, paths included): compare without whitespace.
        static string Squeeze(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains(Squeeze($"checkpoint epoch-{kill.CompleteEpochs:D4} set aside to {Path.Combine(kill.Directory, "set-aside", $"epoch-{kill.CompleteEpochs:D4}")}: model.bin does not load"), Squeeze(explain));
        Assert.Contains(Squeeze($"; {expected}"), Squeeze(explain));
    }
}
