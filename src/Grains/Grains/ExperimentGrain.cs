using StableSnn.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;
using StableSnn.Grains.State;
using StableSnn.Grains.Telemetry;

namespace StableSnn.Grains.Grains;

public sealed class ExperimentGrain(
    [PersistentState("experiment", GrainStorage.Name)] IPersistentState<ExperimentState> state,
    IOptions<EngineOptions> options, ILogger<ExperimentGrain> log) : Grain, IExperimentGrain
{
    readonly EngineOptions _options = options.Value;
    // The in-memory state is ahead of storage (a write failed); CheckLease writes it before answering.
    bool _unsaved;
    ExperimentState S => state.State;
    string Key => this.GetPrimaryKeyString();
    string SweepName => Key[..Key.IndexOf('/')];
    ISweepGrain Sweep => GrainFactory.GetGrain<ISweepGrain>(SweepName);

    public async Task<AttemptTicket?> BeginAttempt(LeaseRef lease, string node)
    {
        if (S.Index < 0) S.Index = lease.Index;
        if (S.Phase.IsTerminal())
        {
            await Notify(S.Phase); // the sweep offered it from stale progress: tell it the truth
            return null;
        }
        var now = DateTimeOffset.UtcNow;
        if (S.CurrentAttempt is { } current && current != lease.AttemptId)
        {
            var live = S.Attempts.Last();
            if (!_options.Lease().IsExpired(live.LastHeartbeat, now))
            {
                await Notify(S.Phase);
                return null; // already running elsewhere: a grid point never runs twice
            }
            EndAttempt(current, ExitReason.LeaseExpired, "superseded: no heartbeat within the lease");
        }
        if (S.CurrentAttempt == lease.AttemptId) return Ticket(await Sweep.Admit(lease.Index)); // node retried the call

        var admission = await Sweep.Admit(lease.Index);
        S.Sweep = SweepName;
        S.Index = lease.Index;
        S.MaxAttempts = admission.Spec.MaxAttempts;
        if (admission.Status == SweepStatus.Cancelled || admission.Phase == ExperimentPhase.Cancelled)
        {
            await Transition(ExperimentPhase.Cancelled, "the sweep was cancelled");
            return null;
        }
        if (admission.Status == SweepStatus.Paused)
        {
            S.Why = "the sweep is paused";
            await Notify(ExperimentPhase.Queued); // back to the sweep's queue until resumed
            return null;
        }

        S.Attempts.Add(new AttemptRecord
        {
            Id = lease.AttemptId, Number = S.Attempts.Count + 1, Slot = lease.SlotId, Node = node,
            StartedAt = now, LastHeartbeat = now,
        });
        S.CurrentAttempt = lease.AttemptId;
        S.NotBefore = null;
        EngineMetrics.AttemptStarted(SweepName);
        await Transition(ExperimentPhase.Training, $"attempt {S.Attempts.Count} on {lease.SlotId}");
        return Ticket(admission);
    }

    public async Task<bool> ReportProgress(Guid attemptId, ProgressUpdate update)
    {
        if (S.CurrentAttempt != attemptId || S.Phase.IsTerminal()) return false; // stale or cancelled: stop it
        int i = S.Attempts.Count - 1;
        S.Attempts[i] = S.Attempts[i] with
        {
            LastHeartbeat = DateTimeOffset.UtcNow,
            Epoch = update.Epoch ?? S.Attempts[i].Epoch,
            ImagesPerSecond = update.ImagesPerSecond ?? S.Attempts[i].ImagesPerSecond,
            LastCheckpoint = update.Checkpoint ?? S.Attempts[i].LastCheckpoint,
        };
        if (update.Phase == TrainerPhase.Attack && S.Phase == ExperimentPhase.Training)
            await Transition(ExperimentPhase.Attacking, "attacking");
        else if (update.Checkpoint is not null)
            await state.WriteStateAsync(); // the last checkpoint is worth keeping across a node loss
        return true;
    }

    public async Task FinishAttempt(Guid attemptId, AttemptEnd end)
    {
        if (S.CurrentAttempt != attemptId)
        {
            // A stale attempt reporting late (its lease already expired, or it was superseded): record, ignore.
            if (S.Attempts.FindIndex(a => a.Id == attemptId && a.EndedAt is null) is >= 0)
            {
                EndAttempt(attemptId, end.Reason, $"late report ignored: {end.Message}");
                await state.WriteStateAsync();
            }
            else if (S.Attempts.Count > 0 && S.Attempts[^1].Id == attemptId)
            {
                // The node retried after a lost answer (e.g. the sweep's silo died mid-call): tell the sweep again.
                await Notify(S.Phase);
            }
            return;
        }
        EndAttempt(attemptId, end.Reason, end.Message);
        if (end.Reason == ExitReason.Success && end.Outcome is not null)
        {
            S.Outcome = end.Outcome;
            await Transition(ExperimentPhase.Completed, "completed");
            return;
        }
        if (end.Reason == ExitReason.RungReached && end.Rung is { } rung)
        {
            // Paused at a search rung with its checkpoint: the search decides whether it goes on. Not a failure, so the
            // retry budget starts afresh for the next rung.
            S.Rungs.RemoveAll(r => r.Epoch == rung.Epoch);
            S.Rungs.Add(rung);
            S.BudgetStart = S.Attempts.Count;
            await Transition(ExperimentPhase.Stopped, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"at the rung of epoch {rung.Epoch}: validation {rung.ValidationAccuracy:0.####}, {rung.ProbeAttack} {rung.ProbeRobustAccuracy:0.####} on {rung.ProbeExamples} images; the search decides whether it goes on"));
            return;
        }
        if (S.Phase == ExperimentPhase.Cancelled) { await state.WriteStateAsync(); return; }
        // Success without a result, or a rung without its measurement, is a trainer fault.
        await ApplyRetryPolicy(end.Reason is ExitReason.Success or ExitReason.RungReached ? ExitReason.Crash : end.Reason);
    }

    public async Task ExpireLease(Guid attemptId)
    {
        if (S.CurrentAttempt != attemptId || S.Phase.IsTerminal()) return;
        EndAttempt(attemptId, ExitReason.LeaseExpired, "no heartbeat within the lease");
        await ApplyRetryPolicy(ExitReason.LeaseExpired);
    }

    public async Task CheckLease(int index)
    {
        if (S.Index != index)
        {
            // Seen after storage outages (the 2-silo fault test): an experiment that completed without a valid index
            // could never tell its sweep. The sweep knows which grid point this key is.
            log.LogWarning("experiment {Key}: index {Index} repaired to the sweep's {SweepIndex}", Key, S.Index, index);
            S.Index = index;
            _unsaved = true;
        }
        if (_unsaved) // a transition whose write failed (storage down): make it durable, then tell the sweep
        {
            await state.WriteStateAsync();
            _unsaved = false;
        }
        if (S.CurrentAttempt is null)
        {
            log.LogInformation("experiment {Key}: the sweep thought it running; it is {Phase} ({Why})", Key, S.Phase, S.Why);
            await Notify(S.Phase); // the sweep thinks this runs: correct it (a notification was lost)
            return;
        }
        if (_options.Lease().IsExpired(S.Attempts[^1].LastHeartbeat, DateTimeOffset.UtcNow))
            await ExpireLease(S.CurrentAttempt.Value);
    }

    public async Task Cancel()
    {
        if (S.Phase.IsTerminal()) return;
        if (S.CurrentAttempt is { } current) EndAttempt(current, ExitReason.Cancelled, "cancelled");
        await Transition(ExperimentPhase.Cancelled, "cancelled");
    }

    public async Task<bool> Requeue()
    {
        if (S.Phase != ExperimentPhase.Failed) return false;
        S.BudgetStart = S.Attempts.Count;
        S.NotBefore = null;
        await Transition(ExperimentPhase.Queued, "retry requested");
        return true;
    }

    public Task<ExperimentSnapshot> GetSnapshot() => Task.FromResult(new ExperimentSnapshot
    {
        Key = Key, Phase = S.Phase, Attempts = [.. S.Attempts], Outcome = S.Outcome, NotBefore = S.NotBefore, Why = S.Why,
        Rungs = [.. S.Rungs],
    });

    async Task ApplyRetryPolicy(ExitReason reason)
    {
        var policy = new RetryPolicy(S.MaxAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay);
        var decision = policy.Decide(reason, S.Attempts.Count - S.BudgetStart);
        EngineMetrics.AttemptFailed(SweepName, reason);
        if (decision.Retry)
        {
            S.NotBefore = DateTimeOffset.UtcNow + decision.Delay;
            EngineMetrics.AttemptRetried(SweepName);
            await Transition(ExperimentPhase.Queued, decision.Why);
        }
        else
        {
            await Transition(ExperimentPhase.Failed, decision.Why);
        }
    }

    void EndAttempt(Guid attemptId, ExitReason reason, string? message)
    {
        int i = S.Attempts.FindIndex(a => a.Id == attemptId);
        if (i >= 0 && S.Attempts[i].EndedAt is null)
            S.Attempts[i] = S.Attempts[i] with { EndedAt = DateTimeOffset.UtcNow, ExitReason = reason, Message = message };
        if (S.CurrentAttempt == attemptId) S.CurrentAttempt = null;
    }

    /// <summary>Persist first, then tell the sweep: a phase the sweep has seen is always durable here.</summary>
    async Task Transition(ExperimentPhase phase, string why)
    {
        S.Phase = phase;
        S.Why = why;
        _unsaved = true;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            // Storage down: the sweep is not told (it only hears durable phases); its reconcile asks again.
            log.LogWarning("experiment {Key}: could not persist {Phase} ({Error}); its sweep's next reconcile retries", Key, phase, e.Message);
            throw;
        }
        _unsaved = false;
        await Notify(phase);
    }


    Task Notify(ExperimentPhase phase) =>
        Sweep.OnExperimentChanged(new ExperimentChange(S.Index, phase, phase == ExperimentPhase.Completed ? S.Outcome : null,
            S.NotBefore, S.Attempts.Count)
        {
            Rung = phase == ExperimentPhase.Stopped ? S.Rungs.LastOrDefault() : null,
            SlotSeconds = S.Attempts.Sum(a => ((a.EndedAt ?? a.LastHeartbeat) - a.StartedAt).TotalSeconds),
        });

    AttemptTicket Ticket(ExperimentAdmission admission) =>
        new(admission.Spec.ExperimentSpec(admission.Point, admission.StopAtEpoch).ToJson(), Key, S.Attempts.Count);

}
