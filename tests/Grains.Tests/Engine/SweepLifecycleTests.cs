using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

namespace StableSnn.Grains.Tests.Engine;

public class SweepLifecycleTests
{
    [Fact]
    public async Task ThousandExperimentSweepOverEightSlotsRecordsEachResultOnce()
    {
        var trainer = new CountingTrainer();
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 8);
        var spec = EngineCluster.Grid("thousand", alphas: 25, seeds: 5); // 2 x 2 x 2 x 25 x 5 = 1000

        var submitted = await engine.Grains.GetGrain<ISweepGrain>("thousand").Submit(spec);
        Assert.Equal(1000, submitted.Total);
        var done = await engine.WaitUntil("thousand", s => s.IsFinished, TimeSpan.FromMinutes(3));

        Assert.Equal(SweepStatus.Completed, done.Status);
        Assert.Equal(1000, done.Count(ExperimentPhase.Completed));
        Assert.Equal(1000, trainer.Starts.Count);
        Assert.All(trainer.Starts.Values, n => Assert.Equal(1, n));
        Assert.True(trainer.MaxConcurrent <= 8, $"{trainer.MaxConcurrent} attempts ran at once on 8 slots");
        var results = await engine.Grains.GetGrain<ISweepGrain>("thousand").GetResults();
        Assert.Equal(1000, results.Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public async Task CancelStopsRunningAttemptsAndCancelsTheRest()
    {
        var trainer = new CountingTrainer((_, _) => FakeAction.Hang);
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 4);
        var sweep = engine.Grains.GetGrain<ISweepGrain>("cancel-me");
        await sweep.Submit(EngineCluster.Grid("cancel-me", alphas: 5));
        await engine.WaitUntil("cancel-me", s => s.Count(ExperimentPhase.Training) == 4);

        await sweep.Cancel();
        var done = await engine.WaitUntil("cancel-me", s => s.IsFinished);

        Assert.Equal(40, done.Count(ExperimentPhase.Cancelled));
        await WaitFor(() => trainer.Running == 0);
        Assert.Equal(4, trainer.Starts.Count); // nothing started after the cancel
        var running = (await engine.Grains.Scheduler().GetSnapshot());
        await WaitFor(async () => (await engine.Grains.Scheduler().GetSnapshot()).Leases == 0);
        Assert.NotNull(running);
    }

    [Fact]
    public async Task PauseHoldsNewStartsAndResumeFinishesTheSweep()
    {
        var trainer = new CountingTrainer(workTime: TimeSpan.FromMilliseconds(100));
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 2);
        var sweep = engine.Grains.GetGrain<ISweepGrain>("pausable");
        await sweep.Submit(EngineCluster.Grid("pausable", alphas: 5));
        await engine.WaitUntil("pausable", s => s.Count(ExperimentPhase.Completed) >= 4);

        await sweep.Pause();
        await Task.Delay(400); // attempts already granted finish
        int startedWhilePaused = trainer.Starts.Count;
        await Task.Delay(800);
        Assert.Equal(startedWhilePaused, trainer.Starts.Count);
        Assert.Equal(SweepStatus.Paused, (await sweep.GetSnapshot()).Status);

        await sweep.Resume();
        var done = await engine.WaitUntil("pausable", s => s.IsFinished);
        Assert.Equal(40, done.Count(ExperimentPhase.Completed));
    }

    [Fact]
    public async Task CrashedAttemptIsRetriedInTheSameArtifactDirectory()
    {
        // Every experiment crashes on its first attempt; the second must resume where the first wrote.
        var trainer = new CountingTrainer((_, attempt) => attempt == 1 ? FakeAction.Crash : FakeAction.Succeed);
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 4);
        await engine.Grains.GetGrain<ISweepGrain>("crashy").Submit(EngineCluster.Grid("crashy", alphas: 2));
        var done = await engine.WaitUntil("crashy", s => s.IsFinished);

        Assert.Equal(16, done.Count(ExperimentPhase.Completed));
        Assert.All(trainer.Starts.Values, n => Assert.Equal(2, n));
        var key = trainer.Starts.Keys.First();
        var history = await engine.Grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
        Assert.Equal([ExitReason.Crash, ExitReason.Success], history.Attempts.Select(a => a.ExitReason!.Value));
        Assert.Equal(16, trainer.ArtifactDirectories.Distinct().Count()); // one directory per experiment, reused
    }

    [Fact]
    public async Task BadInputIsNotRetriedAndRetryFailedRunsItAgain()
    {
        var trainer = new CountingTrainer((lease, attempt) => attempt == 1 && lease.Index == 0 ? FakeAction.BadInput : FakeAction.Succeed);
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 4);
        var sweep = engine.Grains.GetGrain<ISweepGrain>("bad");
        await sweep.Submit(EngineCluster.Grid("bad", alphas: 1));
        var done = await engine.WaitUntil("bad", s => s.IsFinished);
        Assert.Equal(1, done.Count(ExperimentPhase.Failed));
        Assert.Equal(7, done.Count(ExperimentPhase.Completed));

        Assert.Equal(1, await sweep.RetryFailed());
        var again = await engine.WaitUntil("bad", s => s.IsFinished && s.Count(ExperimentPhase.Completed) == 8);
        Assert.Equal(SweepStatus.Completed, again.Status);
    }

    [Fact]
    public async Task ConcurrencyLimitCountsLeases()
    {
        var trainer = new CountingTrainer(workTime: TimeSpan.FromMilliseconds(50));
        await using var engine = await EngineCluster.Start(trainer, slotsPerSilo: 8);
        await engine.Grains.GetGrain<ISweepGrain>("limited").Submit(EngineCluster.Grid("limited", alphas: 3, maxConcurrency: 2));
        await engine.WaitUntil("limited", s => s.IsFinished);
        Assert.True(trainer.MaxConcurrent <= 2, $"{trainer.MaxConcurrent} ran at once with maxConcurrency 2");
    }

    static async Task WaitFor(Func<bool> condition) => await WaitFor(() => Task.FromResult(condition()));

    static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(50);
        }
    }
}
