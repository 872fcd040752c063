using StableSnn.Contracts;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;

namespace StableSnn.Grains.Tests.Engine;

/// <summary>The experiment grain's guarantees, driven directly (no node takes work: the sweep has no slots).</summary>
public class ExperimentGrainTests
{
    static async Task<(EngineCluster Engine, IExperimentGrain Experiment, string Key)> OneExperiment(string sweep)
    {
        var engine = await EngineCluster.Start(new CountingTrainer(), slotsPerSilo: 0);
        var spec = EngineCluster.Grid(sweep, alphas: 1);
        await engine.Grains.GetGrain<ISweepGrain>(sweep).Submit(spec);
        var key = StableSnn.Grains.Policy.GridExpansion.Expand(spec).First().ExperimentKey(sweep);
        return (engine, engine.Grains.GetGrain<IExperimentGrain>(key), key);
    }

    static AttemptEnd Success(double clean) =>
        new(ExitReason.Success, new ExperimentOutcome { CleanAccuracy = clean }, null);

    [Fact]
    public async Task StaleLateReportIsIgnoredAndTheResultIsRecordedOnce()
    {
        var (engine, experiment, key) = await OneExperiment("stale");
        const string sweep = "stale";
        await using var _ = engine;
        var first = new LeaseRef(sweep, key, Guid.NewGuid(), "n/cpu0", 0);
        Assert.NotNull(await experiment.BeginAttempt(first, "n"));
        await experiment.ExpireLease(first.AttemptId); // node presumed lost

        var second = new LeaseRef(sweep, key, Guid.NewGuid(), "m/cpu0", 0);
        Assert.NotNull(await experiment.BeginAttempt(second, "m"));
        await experiment.FinishAttempt(first.AttemptId, Success(0.11)); // the lost node comes back late
        Assert.False(await experiment.ReportProgress(first.AttemptId, new ProgressEvent { Phase = TrainerPhase.Train }));
        Assert.Equal(ExperimentPhase.Training, (await experiment.GetSnapshot()).Phase);

        await experiment.FinishAttempt(second.AttemptId, Success(0.77));
        await experiment.FinishAttempt(second.AttemptId, Success(0.77)); // a retried report

        var snapshot = await experiment.GetSnapshot();
        Assert.Equal(ExperimentPhase.Completed, snapshot.Phase);
        Assert.Equal(0.77, snapshot.Outcome!.CleanAccuracy);
        Assert.Equal([ExitReason.LeaseExpired, ExitReason.Success], snapshot.Attempts.Select(a => a.ExitReason!.Value));
        var results = await engine.Grains.GetGrain<ISweepGrain>("stale").GetResults();
        Assert.Equal(0.77, Assert.Single(results).Outcome.CleanAccuracy);
    }

    [Fact]
    public async Task ASecondAttemptCannotStartWhileTheFirstIsAlive()
    {
        var (engine, experiment, key) = await OneExperiment("twice");
        const string sweep = "twice";
        await using var _ = engine;
        Assert.NotNull(await experiment.BeginAttempt(new LeaseRef(sweep, key, Guid.NewGuid(), "n/cpu0", 0), "n"));
        Assert.Null(await experiment.BeginAttempt(new LeaseRef(sweep, key, Guid.NewGuid(), "m/cpu0", 0), "m"));
        Assert.Single((await experiment.GetSnapshot()).Attempts);
    }

    [Fact]
    public async Task LeaseExpiryWithoutHeartbeatQueuesTheExperimentAgain()
    {
        var (engine, experiment, key) = await OneExperiment("expiry");
        const string sweep = "expiry";
        await using var _ = engine;
        Assert.NotNull(await experiment.BeginAttempt(new LeaseRef(sweep, key, Guid.NewGuid(), "n/cpu0", 0), "n"));
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // lease is 3 s in these tests
        await experiment.CheckLease(sweep, 0); // one-way, as the sweep's reconcile sends it
        var deadline = DateTime.UtcNow.AddSeconds(30);
        ExperimentSnapshot snapshot;
        while ((snapshot = await experiment.GetSnapshot()).Phase != ExperimentPhase.Queued && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(ExperimentPhase.Queued, snapshot.Phase);
        Assert.Equal(ExitReason.LeaseExpired, snapshot.Attempts.Single().ExitReason);
    }

    [Fact]
    public async Task CheckpointsSetAsideAreKeptInTheAttemptAfterItEnds()
    {
        var (engine, experiment, key) = await OneExperiment("setaside");
        await using var _ = engine;
        var lease = new LeaseRef("setaside", key, Guid.NewGuid(), "n/cpu0", 0);
        Assert.NotNull(await experiment.BeginAttempt(lease, "n"));
        Assert.True(await experiment.ReportProgress(lease.AttemptId, new ProgressEvent { Phase = TrainerPhase.Epoch, Epoch = 1, Checkpoint = "ck/epoch-0001" }));
        Assert.True(await experiment.ReportProgress(lease.AttemptId, new ProgressEvent
        {
            Phase = TrainerPhase.CheckpointSetAside, Checkpoint = "set-aside/epoch-0002",
            Message = "checkpoint epoch-0002 set aside to set-aside/epoch-0002: model.bin does not load; resuming after epoch 1",
        }));
        Assert.True(await experiment.ReportProgress(lease.AttemptId, new ProgressEvent { Phase = TrainerPhase.CheckpointSetAside, Message = "a second one" }));
        await experiment.FinishAttempt(lease.AttemptId, Success(0.5));

        var attempt = Assert.Single((await experiment.GetSnapshot()).Attempts);
        Assert.Equal(["checkpoint epoch-0002 set aside to set-aside/epoch-0002: model.bin does not load; resuming after epoch 1", "a second one"],
            attempt.CheckpointsSetAside);
        Assert.Equal("ck/epoch-0001", attempt.LastCheckpoint); // the set-aside folder is not a checkpoint to resume from
        Assert.Equal(ExitReason.Success, attempt.ExitReason);
    }

    [Fact]
    public async Task TheAttackPhaseSaysWhichAttackRunsAndHowFar()
    {
        var (engine, experiment, key) = await OneExperiment("activity");
        await using var _ = engine;
        var lease = new LeaseRef("activity", key, Guid.NewGuid(), "n/cpu0", 0);
        Assert.NotNull(await experiment.BeginAttempt(lease, "n"));
        Assert.True(await experiment.ReportProgress(lease.AttemptId, new ProgressEvent { Phase = TrainerPhase.Epoch, Epoch = 3 }));
        Assert.Null((await experiment.GetSnapshot()).Attempts[^1].Activity);
        Assert.True(await experiment.ReportProgress(lease.AttemptId, new ProgressEvent
        {
            Phase = TrainerPhase.Attack, Attack = "APGD-T-adaptive", Message = "attack 5/7, step 40/100 of batch 2",
        }));
        var snapshot = await experiment.GetSnapshot();
        Assert.Equal(ExperimentPhase.Attacking, snapshot.Phase);
        Assert.Equal("APGD-T-adaptive: attack 5/7, step 40/100 of batch 2", snapshot.Attempts[^1].Activity);
        Assert.True(await experiment.ReportProgress(lease.AttemptId, null)); // a heartbeat keeps it
        Assert.Equal("APGD-T-adaptive: attack 5/7, step 40/100 of batch 2", (await experiment.GetSnapshot()).Attempts[^1].Activity);
    }
}
