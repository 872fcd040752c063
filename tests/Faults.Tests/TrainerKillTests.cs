using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Faults.Tests;

/// <summary>SIGKILL of real trainer processes at three points of an attempt, under the real CLI and embedded silo.</summary>
public sealed class TrainerKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TrainersKilledWhileTrainingCheckpointingAndAttackingResumeAndFinishEachExperimentOnce()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        File.WriteAllText(work.File("kills.yaml"), Sweeps.Spec("kills", toy.Root, [0, 0.5, 1], suite: "quick"));
        int seed = Environment.TickCount;
        output.WriteLine($"kill timing seed {seed}");
        var artifacts = work.File("state/artifacts");

        int exit;
        string cli;
        IReadOnlyList<Kill> kills;
        await using (var killer = new TrainerKiller(artifacts, [KillPoint.Training, KillPoint.CheckpointWrite, KillPoint.Attack], seed))
        {
            using var run = Cli.Start(work.Path, "run", "kills.yaml", "--data-dir", "state", "--out", "out");
            exit = await run.WaitWhileProgressingAsync(stalled: TimeSpan.FromMinutes(3), limit: TimeSpan.FromMinutes(9));
            cli = run.Output;
            await killer.DisposeAsync();
            kills = killer.Kills;
        }
        foreach (var k in kills) output.WriteLine(k.ToString());
        Assert.True(exit == 0, cli);
        Assert.Contains("3 completed, 0 failed", cli);
        Assert.Equal(3, kills.Count); // every planned kill landed on a live trainer

        var results = Sweeps.AssertEachCompletedOnce(work.File("out"), artifacts, experiments: 3);
        Assert.Equal(kills.Count, Sweeps.Attempts(work.File("out")).Count(a => a.Exit == "Crash")); // one crashed attempt per kill
        foreach (var kill in kills)
        {
            var result = results[kill.Directory];
            // The attempt after the kill resumed from the newest complete checkpoint: no finished epoch trained again.
            Assert.Equal(kill.CompleteEpochs, result.ResumedFromEpoch);
            if (kill.Point == KillPoint.Attack) Assert.Equal(Sweeps.Epochs, result.ResumedFromEpoch);
            Assert.NotNull(result.Attacks);
        }
    }
}
