using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using StableSnn.Grains.Model;
using StableSnn.Grains.Results;

namespace StableSnn.Grains.Telemetry;

/// <summary>
/// The engine's own meter, "StableSnn" (docs/telemetry.md lists every instrument, its labels and cardinality).
/// Counters and the histogram are recorded where things happen. Observable gauges read small registries that the
/// grains and the node agent publish to: a grain turn is single-threaded, the exporter reads from another thread,
/// so publishers swap in immutable snapshots and the callbacks only read them.
/// </summary>
public static class EngineMetrics
{
    public const string MeterName = "StableSnn";

    static readonly Meter Meter = new(MeterName);

    // --- counters and histogram ------------------------------------------------------------------------------------
    static readonly Counter<long> AttemptsStarted = Meter.CreateCounter<long>(
        "stablesnn.attempts.started", "{attempt}", "Experiment attempts started on a slot.");
    static readonly Counter<long> AttemptsFailed = Meter.CreateCounter<long>(
        "stablesnn.attempts.failed", "{attempt}", "Attempts that ended without a result, by exit reason.");
    static readonly Counter<long> AttemptsRetried = Meter.CreateCounter<long>(
        "stablesnn.attempts.retried", "{attempt}", "Failed attempts whose experiment was queued again (after back-off).");
    static readonly Counter<long> LeaseExpiries = Meter.CreateCounter<long>(
        "stablesnn.lease.expiries", "{lease}", "Leases the scheduler expired because their node stopped renewing them.");
    static readonly Counter<long> SearchTrials = Meter.CreateCounter<long>(
        "stablesnn.search.trials", "{trial}",
        "Search events by decision: proposed, promoted (to the next rung), stopped (outside the top 1/eta of a rung), " +
        "paused (at a rung with fewer than eta reports), completed (reached the last rung).");
    static readonly Histogram<double> EpochDuration = Meter.CreateHistogram<double>(
        "stablesnn.epoch.duration", "s", "Wall time of one training epoch, measured by the node between progress reports.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600] });

    // --- registries read by observable gauges ----------------------------------------------------------------------
    static readonly ConcurrentDictionary<string, SweepFigures> Sweeps = new();
    static readonly ConcurrentDictionary<string, NodeFigures> Nodes = new();
    static SchedulerFigures? _scheduler;

    static EngineMetrics()
    {
        Meter.CreateObservableGauge("stablesnn.experiments", ObserveExperiments, "{experiment}",
            "Experiments of a sweep in each lifecycle phase.");
        Meter.CreateObservableGauge("stablesnn.sweep.progress_ratio", ObserveProgress, "1",
            "Fraction of a sweep's experiments in a terminal phase (completed, failed or cancelled).");
        Meter.CreateObservableGauge("stablesnn.sweep.eta", ObserveEta, "s",
            "Estimated time to the end of a sweep at its average rate so far (0 once finished).");
        Meter.CreateObservableGauge("stablesnn.queue.depth", ObserveQueueDepth, "{experiment}",
            "Experiments of active sweeps waiting for a slot (pending or offered).");
        Meter.CreateObservableGauge("stablesnn.queue.oldest_wait", ObserveOldestWait, "s",
            "Age of the oldest offer the scheduler holds for want of a free slot (0 when none waits).");
        Meter.CreateObservableGauge("stablesnn.slots", ObserveSlots, "{slot}", "Slots of each node, busy or idle.");
        Meter.CreateObservableGauge("stablesnn.slot.utilisation_ratio", ObserveUtilisation, "1",
            "Fraction of a node's slots running an attempt.");
        Meter.CreateObservableGauge("stablesnn.training.images_per_second", ObserveThroughput, "{image}/s",
            "Training throughput last reported by the attempt running on a slot (0 when the slot is idle).");
        Meter.CreateObservableGauge("stablesnn.search.best_objective_ratio", ObserveBestObjective, "1",
            "A search's best objective so far: robust accuracy of its best completed trial that meets the clean floor.");
        Meter.CreateObservableGauge("stablesnn.robust_accuracy_ratio", ObserveAccuracy, "1",
            "Accuracy of a completed grid point (mean over its completed seeds), clean (attack=\"none\") or under an attack.");
    }

    // --- recording -------------------------------------------------------------------------------------------------
    public static void AttemptStarted(string sweep) => AttemptsStarted.Add(1, new KeyValuePair<string, object?>("sweep", sweep));

    public static void AttemptFailed(string sweep, ExitReason reason) =>
        AttemptsFailed.Add(1, new("sweep", sweep), new("reason", ReasonLabel(reason)));

    public static void AttemptRetried(string sweep) => AttemptsRetried.Add(1, new KeyValuePair<string, object?>("sweep", sweep));

    public static readonly IReadOnlyList<string> SearchDecisions = ["proposed", "promoted", "stopped", "paused", "completed"];

    public static void SearchTrial(string sweep, string decision) =>
        SearchTrials.Add(1, new("sweep", sweep), new("decision", decision));

    /// <summary>Starts a search's decision series at zero (5 per search).</summary>
    public static void InitialiseSearch(string sweep)
    {
        foreach (var decision in SearchDecisions) SearchTrials.Add(0, new("sweep", sweep), new("decision", decision));
    }

    public static void LeaseExpired(int count = 1) => LeaseExpiries.Add(count);

    public static void EpochFinished(double seconds) => EpochDuration.Record(seconds);

    /// <summary>
    /// Starts a sweep's counter series at zero, so rates and "no failures" read as 0 rather than as missing data
    /// (bounded: the exit reasons times one sweep).
    /// </summary>
    public static void InitialiseSweep(string sweep)
    {
        AttemptsStarted.Add(0, new KeyValuePair<string, object?>("sweep", sweep));
        AttemptsRetried.Add(0, new KeyValuePair<string, object?>("sweep", sweep));
        foreach (var reason in Enum.GetValues<ExitReason>())
            if (reason is not (ExitReason.Success or ExitReason.RungReached)) AttemptsFailed.Add(0, new("sweep", sweep), new("reason", ReasonLabel(reason)));
    }

    /// <summary>Starts the lease-expiry counter at zero (called when the scheduler activates).</summary>
    public static void InitialiseScheduler() => LeaseExpiries.Add(0);

    public static string ReasonLabel(ExitReason reason) => reason switch
    {
        ExitReason.BadInput => "bad_input",
        ExitReason.LeaseExpired => "lease_expired",
        ExitReason.RungReached => "rung_reached",
        _ => reason.ToString().ToLowerInvariant(),
    };

    // --- publishing (from grain turns and the node agent) ------------------------------------------------------------
    /// <summary>A sweep's figures: phase counts and, per completed grid point, its accuracies.</summary>
    public sealed record SweepFigures(
        bool Active, int[] Counts, DateTimeOffset SubmittedAt, DateTimeOffset? FinishedAt, IReadOnlyList<ResultRow> Accuracy)
    {
        /// <summary>A search's best objective so far (null for a grid, or before any trial completed).</summary>
        public double? BestObjective { get; init; }
    }

    public static void PublishSweep(string sweep, SweepFigures figures) => Sweeps[sweep] = figures;

    public static void RemoveSweep(string sweep) => Sweeps.TryRemove(sweep, out _);

    /// <summary>What the scheduler holds: when its oldest buffered offer arrived (null when none waits).</summary>
    public sealed record SchedulerFigures(DateTimeOffset? OldestOffer);

    public static void PublishScheduler(SchedulerFigures figures) => Volatile.Write(ref _scheduler, figures);

    /// <summary>A node's slots: which are busy, and the last throughput each busy slot reported.</summary>
    public sealed record NodeFigures(IReadOnlyList<string> Slots, IReadOnlyDictionary<string, double> BusyThroughput);

    public static void PublishNode(string node, NodeFigures figures) => Nodes[node] = figures;

    public static void RemoveNode(string node) => Nodes.TryRemove(node, out _);

    // --- observation -----------------------------------------------------------------------------------------------
    static readonly string[] PhaseLabels = Enum.GetNames<ExperimentPhase>().Select(n => n.ToLowerInvariant()).ToArray();

    static IEnumerable<Measurement<int>> ObserveExperiments()
    {
        foreach (var (sweep, f) in Sweeps)
            for (int p = 0; p < f.Counts.Length && p < PhaseLabels.Length; p++)
                yield return new(f.Counts[p], new("sweep", sweep), new("phase", PhaseLabels[p]));
    }

    static IEnumerable<Measurement<double>> ObserveProgress()
    {
        // A finished search keeps trials stopped at rungs (not terminal: promotable while it ran): it is done all the same.
        foreach (var (sweep, f) in Sweeps)
            yield return new(f.FinishedAt is not null ? 1 : Terminal(f.Counts) / (double)Math.Max(1, f.Counts.Sum()),
                new KeyValuePair<string, object?>("sweep", sweep));
    }

    static IEnumerable<Measurement<double>> ObserveBestObjective()
    {
        foreach (var (sweep, f) in Sweeps)
            if (f.BestObjective is { } best) yield return new(best, new KeyValuePair<string, object?>("sweep", sweep));
    }

    static IEnumerable<Measurement<double>> ObserveEta()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (sweep, f) in Sweeps)
        {
            int total = f.Counts.Sum(), done = Terminal(f.Counts);
            double eta;
            if (f.FinishedAt is not null || done >= total) eta = 0;
            else if (done == 0) continue; // no rate yet: no estimate rather than a made-up one
            else eta = (now - f.SubmittedAt).TotalSeconds / done * (total - done);
            yield return new(eta, new KeyValuePair<string, object?>("sweep", sweep));
        }
    }

    static int ObserveQueueDepth() => Sweeps.Values.Where(f => f.Active)
        .Sum(f => f.Counts.CountOf(ExperimentPhaseExtensions.IsWaiting));

    static IEnumerable<Measurement<double>> ObserveOldestWait()
    {
        var figures = Volatile.Read(ref _scheduler);
        if (figures is null) yield break; // the scheduler is not on this silo
        yield return new(figures.OldestOffer is { } at ? Math.Max(0, (DateTimeOffset.UtcNow - at).TotalSeconds) : 0);
    }

    static IEnumerable<Measurement<int>> ObserveSlots()
    {
        foreach (var (node, f) in Nodes)
        {
            int busy = f.BusyThroughput.Count;
            yield return new(busy, new("node", node), new("state", "busy"));
            yield return new(f.Slots.Count - busy, new("node", node), new("state", "idle"));
        }
    }

    static IEnumerable<Measurement<double>> ObserveUtilisation()
    {
        foreach (var (node, f) in Nodes)
            if (f.Slots.Count > 0)
                yield return new(f.BusyThroughput.Count / (double)f.Slots.Count, new KeyValuePair<string, object?>("node", node));
    }

    static IEnumerable<Measurement<double>> ObserveThroughput()
    {
        foreach (var (node, f) in Nodes)
            foreach (var slot in f.Slots)
                yield return new(f.BusyThroughput.GetValueOrDefault(slot), new("node", node), new("slot", slot));
    }

    static IEnumerable<Measurement<double>> ObserveAccuracy()
    {
        foreach (var (sweep, f) in Sweeps)
            foreach (var a in f.Accuracy)
                yield return new(a.Mean, new("sweep", sweep), new("dataset", a.Dataset),
                    new("architecture", a.Architecture), new("neuron", a.Neuron), new("mode", a.Mode),
                    new("alpha", a.Alpha.ToString("R", CultureInfo.InvariantCulture)), new("attack", a.Label),
                    new("masking_suspect", a.Flagged > 0 ? "true" : "false"));
    }

    static int Terminal(int[] counts) => counts.CountOf(ExperimentPhaseExtensions.IsTerminal);

    /// <summary>
    /// The results table over the grid points whose seeds have all ended with at least one completed (the same
    /// aggregation as every other view of the results, <see cref="ResultsTable"/>, without its paired test: this runs
    /// in the sweep grain's turn, and a metric carries no p-value).
    /// </summary>
    public static IReadOnlyList<ResultRow> Aggregate(IReadOnlyList<GridPoint> points, byte[] phases,
        IReadOnlyDictionary<int, ExperimentOutcome> outcomes)
    {
        var groups = new Dictionary<string, List<int>>();
        for (int i = 0; i < points.Count && i < phases.Length; i++)
        {
            if (!groups.TryGetValue(points[i].GroupKey, out var g)) groups[points[i].GroupKey] = g = [];
            g.Add(i);
        }
        var ended = groups.Values.Where(g => g.All(i => ((ExperimentPhase)phases[i]).IsTerminal()));
        return ResultsTable.Build(ended.SelectMany(g => g)
            .Where(outcomes.ContainsKey)
            .Select(i => new CompletedExperiment(points[i].ExperimentKey(""), points[i], outcomes[i])), baselineAlpha: null);
    }
}
