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
    ExperimentState Stored => state.State;
    string Key => this.GetPrimaryKeyString();
    // Events go to the sweep, which never waits for an experiment: its commands here are one-way.
    ISweepGrain Sweep => GrainFactory.GetGrain<ISweepGrain>(Stored.Sweep);

    public async Task<AttemptTicket?> BeginAttempt(LeaseRef lease, string node)
    {
        if (Stored.Index < 0) Stored.Index = lease.Index;
        if (Stored.Sweep.Length == 0) Stored.Sweep = lease.Sweep;
        if (Stored.Phase.IsTerminal())
        {
            await TellSweep(); // the sweep offered it from stale progress: tell it the truth
            return null;
        }
        var now = DateTimeOffset.UtcNow;
        if (Stored.CurrentAttempt is { } current && current != lease.AttemptId)
        {
            if (!LeaseExpired(now))
            {
                await TellSweep();
                return null; // already running elsewhere: a grid point never runs twice
            }
            EndAttempt(current, ExitReason.LeaseExpired, "superseded: no heartbeat within the lease");
        }
        if (Stored.CurrentAttempt == lease.AttemptId) return Ticket(await Sweep.Admit(lease.Index)); // node retried the call

        var admission = await Sweep.Admit(lease.Index);
        Stored.Sweep = lease.Sweep;
        Stored.Index = lease.Index;
        Stored.MaxAttempts = admission.MaxAttempts;
        if (admission.Status == SweepStatus.Cancelled || admission.Phase == ExperimentPhase.Cancelled)
        {
            await Transition(ExperimentPhase.Cancelled, "the sweep was cancelled");
            return null;
        }
        if (admission.Status == SweepStatus.Paused)
        {
            Stored.Why = "the sweep is paused";
            await Notify(ExperimentPhase.Queued); // back to the sweep's queue until resumed
            return null;
        }

        Stored.Attempts.Add(new AttemptRecord
        {
            Id = lease.AttemptId, Number = Stored.Attempts.Count + 1, Slot = lease.SlotId, Node = node,
            StartedAt = now, LastHeartbeat = now,
        });
        Stored.CurrentAttempt = lease.AttemptId;
        Stored.NotBefore = null;
        EngineMetrics.AttemptStarted(Stored.Sweep);
        await Transition(ExperimentPhase.Training, $"attempt {Stored.Attempts.Count} on {lease.SlotId}");
        return Ticket(admission);
    }

    public async Task<bool> ReportProgress(Guid attemptId, ProgressEvent? update)
    {
        if (Stored.CurrentAttempt != attemptId || Stored.Phase.IsTerminal()) return false; // stale or cancelled: stop it
        int i = Stored.Attempts.Count - 1;
        if (update?.Phase == TrainerPhase.CheckpointSetAside)
        {
            // Worth keeping at once: the reason a resume went back (explain shows it), even if this attempt dies next.
            Stored.Attempts[i] = Stored.Attempts[i] with
            {
                LastHeartbeat = DateTimeOffset.UtcNow,
                CheckpointsSetAside = [.. Stored.Attempts[i].CheckpointsSetAside, update.Message ?? update.Checkpoint ?? "a checkpoint was set aside"],
            };
            await state.WriteStateAsync();
            return true;
        }
        Stored.Attempts[i] = Stored.Attempts[i] with
        {
            LastHeartbeat = DateTimeOffset.UtcNow,
            Epoch = update?.Epoch ?? Stored.Attempts[i].Epoch,
            ImagesPerSecond = update?.ImagesPerSecond ?? Stored.Attempts[i].ImagesPerSecond,
            LastCheckpoint = update?.Checkpoint ?? Stored.Attempts[i].LastCheckpoint,
            // The attack phase runs for many minutes: which attack and how far, for watch (kept in memory between writes).
            Activity = update is { Phase: TrainerPhase.Attack } attack
                ? string.Join(": ", new[] { attack.Attack, attack.Message }.Where(t => !string.IsNullOrEmpty(t)))
                : Stored.Attempts[i].Activity,
        };
        if (update?.Phase == TrainerPhase.Attack && Stored.Phase == ExperimentPhase.Training)
            await Transition(ExperimentPhase.Attacking, "attacking");
        else if (update?.Checkpoint is not null)
            await state.WriteStateAsync(); // the last checkpoint is worth keeping across a node loss
        return true;
    }

    public async Task FinishAttempt(Guid attemptId, AttemptEnd end)
    {
        if (Stored.CurrentAttempt != attemptId)
        {
            // A stale attempt reporting late (its lease already expired, or it was superseded): record, ignore.
            if (Stored.Attempts.FindIndex(a => a.Id == attemptId && a.EndedAt is null) is >= 0)
            {
                EndAttempt(attemptId, end.Reason, $"late report ignored: {end.Message}");
                await state.WriteStateAsync();
            }
            else if (Stored.Attempts.Count > 0 && Stored.Attempts[^1].Id == attemptId)
            {
                // The node retried after a lost answer (e.g. the sweep's silo died mid-call): tell the sweep again.
                await TellSweep();
            }
            return;
        }
        EndAttempt(attemptId, end.Reason, end.Message);
        if (end.Reason == ExitReason.Success && end.Outcome is not null)
        {
            Stored.Outcome = end.Outcome;
            await Transition(ExperimentPhase.Completed, "completed");
            return;
        }
        if (end.Reason == ExitReason.RungReached && end.Rung is { } rung)
        {
            // Paused at a search rung with its checkpoint: the search decides whether it goes on. Not a failure, so the
            // retry budget starts afresh for the next rung.
            Stored.Rungs.RemoveAll(r => r.Epoch == rung.Epoch);
            Stored.Rungs.Add(rung);
            Stored.BudgetStart = Stored.Attempts.Count;
            await Transition(ExperimentPhase.Stopped, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"at the rung of epoch {rung.Epoch}: validation {rung.ValidationAccuracy:0.####}, {rung.ProbeAttack} {rung.ProbeRobustAccuracy:0.####} on {rung.ProbeExamples} images; the search decides whether it goes on"));
            return;
        }
        if (Stored.Phase == ExperimentPhase.Cancelled) { await state.WriteStateAsync(); return; }
        // Success without a result, or a rung without its measurement, is a trainer fault.
        await ApplyRetryPolicy(end.Reason is ExitReason.Success or ExitReason.RungReached ? ExitReason.Crash : end.Reason);
    }

    public async Task ExpireLease(Guid attemptId)
    {
        if (Stored.CurrentAttempt != attemptId || Stored.Phase.IsTerminal()) return;
        EndAttempt(attemptId, ExitReason.LeaseExpired, "no heartbeat within the lease");
        await ApplyRetryPolicy(ExitReason.LeaseExpired);
    }

    public async Task CheckLease(string sweep, int index)
    {
        if (Stored.Sweep.Length == 0) Stored.Sweep = sweep;
        if (Stored.Index != index)
        {
            // Seen after storage outages (the 2-silo fault test): an experiment that completed without a valid index
            // could never tell its sweep. The sweep knows which grid point this key is.
            log.LogWarning("experiment {Key}: index {Index} repaired to the sweep's {SweepIndex}", Key, Stored.Index, index);
            Stored.Index = index;
            _unsaved = true;
        }
        if (_unsaved) // a transition whose write failed (storage down): make it durable, then tell the sweep
        {
            await state.WriteStateAsync();
            _unsaved = false;
        }
        if (Stored.CurrentAttempt is null)
        {
            log.LogInformation("experiment {Key}: the sweep thought it running; it is {Phase} ({Why})", Key, Stored.Phase, Stored.Why);
            await TellSweep(); // the sweep thinks this runs: correct it (a notification was lost)
            return;
        }
        if (LeaseExpired(DateTimeOffset.UtcNow))
            await ExpireLease(Stored.CurrentAttempt.Value);
    }

    public async Task Cancel()
    {
        if (Stored.Phase.IsTerminal()) return;
        if (Stored.CurrentAttempt is { } current) EndAttempt(current, ExitReason.Cancelled, "cancelled");
        await Transition(ExperimentPhase.Cancelled, "cancelled");
    }

    public async Task Requeue()
    {
        if (Stored.Phase != ExperimentPhase.Failed)
        {
            await TellSweep(); // the sweep's view was stale: correct it, or it would wait for this experiment
            return;
        }
        Stored.BudgetStart = Stored.Attempts.Count;
        Stored.NotBefore = null;
        await Transition(ExperimentPhase.Queued, "retry requested");
    }

    public Task<ExperimentSnapshot> GetSnapshot() => Task.FromResult(new ExperimentSnapshot
    {
        Key = Key, Phase = Stored.Phase, Attempts = [.. Stored.Attempts], Outcome = Stored.Outcome, NotBefore = Stored.NotBefore, Why = Stored.Why,
        Rungs = [.. Stored.Rungs],
    });

    async Task ApplyRetryPolicy(ExitReason reason)
    {
        var policy = new RetryPolicy(Stored.MaxAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay);
        var decision = policy.Decide(reason, Stored.Attempts.Count - Stored.BudgetStart);
        EngineMetrics.AttemptFailed(Stored.Sweep, reason);
        if (decision.Retry)
        {
            Stored.NotBefore = DateTimeOffset.UtcNow + decision.Delay;
            EngineMetrics.AttemptRetried(Stored.Sweep);
            await Transition(ExperimentPhase.Queued, decision.Why);
        }
        else
        {
            await Transition(ExperimentPhase.Failed, decision.Why);
        }
    }

    /// <summary>The current attempt's node has not been heard of within the lease (<see cref="LeasePolicy"/>).</summary>
    bool LeaseExpired(DateTimeOffset now) => _options.Lease().IsExpired(Stored.Attempts[^1].LastHeartbeat, now);

    void EndAttempt(Guid attemptId, ExitReason reason, string? message)
    {
        int i = Stored.Attempts.FindIndex(a => a.Id == attemptId);
        if (i >= 0 && Stored.Attempts[i].EndedAt is null)
            Stored.Attempts[i] = Stored.Attempts[i] with { EndedAt = DateTimeOffset.UtcNow, ExitReason = reason, Message = message };
        if (Stored.CurrentAttempt == attemptId) Stored.CurrentAttempt = null;
    }

    /// <summary>Persist first, then tell the sweep: a phase the sweep has seen is always durable here.</summary>
    async Task Transition(ExperimentPhase phase, string why)
    {
        Stored.Phase = phase;
        Stored.Why = why;
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

    /// <summary>
    /// Tells the sweep the current phase, written first if a failed write left it unsaved: a sweep told of a phase that
    /// a restart then loses (say Training, while storage still says Stopped at a rung) would wait for it for ever.
    /// </summary>
    async Task TellSweep()
    {
        if (_unsaved)
        {
            await state.WriteStateAsync();
            _unsaved = false;
        }
        await Notify(Stored.Phase);
    }

    /// <summary>Tells the sweep this experiment's phase; one that never started has no sweep to tell yet.</summary>
    Task Notify(ExperimentPhase phase) => Stored.Sweep.Length == 0 ? Task.CompletedTask :
        Sweep.OnExperimentChanged(new ExperimentChange(Stored.Index, phase, phase == ExperimentPhase.Completed ? Stored.Outcome : null,
            Stored.NotBefore, Stored.Attempts.Count)
        {
            Rung = phase == ExperimentPhase.Stopped ? Stored.Rungs.LastOrDefault() : null,
            SlotSeconds = Stored.Attempts.Sum(a => ((a.EndedAt ?? a.LastHeartbeat) - a.StartedAt).TotalSeconds),
        });

    AttemptTicket Ticket(ExperimentAdmission admission) => new(admission.Spec, Key, Stored.Attempts.Count);
}
