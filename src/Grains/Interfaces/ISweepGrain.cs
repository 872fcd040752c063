using StableSnn.Grains.Model;

namespace StableSnn.Grains.Interfaces;

/// <summary>
/// Owns one sweep (key: its name): the grid, each grid point's phase, control (cancel / pause / resume /
/// retry-failed) and the completed outcomes it aggregates. Experiments are created lazily, when first scheduled.
/// Commands go to experiments one-way; their phase changes come back as events.
/// </summary>
[Alias("StableSnn.ISweepGrain")]
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Validates and accepts the spec; submitting the same spec again is a no-op, a different one an error.</summary>
    [Alias("Submit")] Task<SweepSnapshot> Submit(SweepSpec spec);
    [Alias("GetSnapshot")] Task<SweepSnapshot> GetSnapshot();
    [Alias("GetSpec")] Task<SweepSpec?> GetSpec();
    [Alias("GetResults")] Task<CompletedExperiment[]> GetResults();
    /// <summary>The search's trials, rungs, decisions, best and Pareto front; null for a sweep without a search section.</summary>
    [Alias("GetSearch")] Task<SearchSnapshot?> GetSearch();
    /// <summary>Experiment keys in a phase (for watch and explain), at most <paramref name="max"/>.</summary>
    [Alias("ListExperiments")] Task<string[]> ListExperiments(ExperimentPhase phase, int max);
    [Alias("Cancel")] Task Cancel();
    [Alias("Pause")] Task Pause();
    [Alias("Resume")] Task Resume();
    /// <summary>Queues every failed experiment again with a fresh retry budget; returns how many.</summary>
    [Alias("RetryFailed")] Task<int> RetryFailed();
    /// <summary>
    /// Promotes a search trial stopped at a rung (repechage): it resumes from its checkpoint and trains to the next rung;
    /// a finished search becomes active again. Returns the decision explained; throws InvalidOperationException saying
    /// why when the experiment is not a stopped trial of an ASHA search.
    /// </summary>
    [Alias("Promote")] Task<string> Promote(string experimentKey);

    /// <summary>Scheduler: up to <paramref name="max"/> runnable experiments, each offered once.</summary>
    [Alias("TakeWork")] Task<Policy.QueuedExperiment[]> TakeWork(int max);
    /// <summary>Experiment grain, before each attempt: its trainer spec, and whether the sweep still wants it run.</summary>
    [Alias("Admit")] Task<ExperimentAdmission> Admit(int index);
    /// <summary>
    /// Experiment grain: its phase changed (persisted first). No interleaving is needed: the sweep never waits for an
    /// experiment (its commands to them are one-way), so an experiment waiting here cannot be waited for.
    /// </summary>
    [Alias("OnExperimentChanged")] Task OnExperimentChanged(ExperimentChange change);
    /// <summary>Re-offers queued work (after a scheduler restart) and has running experiments check their leases.</summary>
    [Alias("Reconcile")] Task Reconcile();
}
