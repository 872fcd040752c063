using StableSnn.Contracts;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.State;

namespace StableSnn.Client.Tests;

/// <summary>
/// An ASHA search driven through the engine's own policy (<see cref="SearchRun"/>), so rungs, decisions, best and
/// front are the engine's: 14 trials, rungs at 1, 2 and 4 epochs (eta 2), a clean floor of 50%. Trials 0-11 report at
/// rung 0 with <see cref="ProbeAtRung0"/> (trial 5 under the floor on validation); those promoted report at rung 1
/// with <see cref="ProbeAtRung1"/>; those promoted again complete with the next of <see cref="Completions"/>. Trial 12
/// failed, trial 13 is training towards rung 0. Everything not promoted is stopped at its rung.
/// </summary>
internal sealed class SearchSample
{
    public const string Sweep = "hunt";
    public const int Trials = 14, FailedTrial = 12, RunningTrial = 13, UnderFloorAtRung0 = 5;
    public const double Floor = 0.5;
    public static readonly double[] ProbeAtRung0 = [0.30, 0.41, 0.12, 0.47, 0.25, 0.35, 0.05, 0.44, 0.20, 0.38, 0.15, 0.33];
    public static readonly double[] ProbeAtRung1 = [0.36, 0.31, 0.49, 0.28, 0.45, 0.40, 0.22, 0.34, 0.27, 0.39, 0.18, 0.43];
    /// <summary>(robust, clean) of each completion in order: the second is under the floor, so it cannot be best; the fourth is dominated by the third.</summary>
    public static readonly (double Robust, double Clean)[] Completions = [(0.41, 0.86), (0.52, 0.45), (0.46, 0.81), (0.33, 0.79), (0.44, 0.70)];

    public SweepSpec Spec { get; }
    public SearchSnapshot Snapshot { get; }
    /// <summary>Per trial, the score reported at each rung (what the engine should have been told).</summary>
    public Dictionary<int, Dictionary<int, double>> Scores { get; } = [];
    public Dictionary<int, ExperimentOutcome> Outcomes { get; } = [];
    public Dictionary<int, ExperimentPhase> Phases { get; } = [];
    public Dictionary<int, double> SlotSeconds { get; } = [];

    public SearchSample(bool doubtBest = false)
    {
        Spec = new SweepSpec
        {
            Name = Sweep, Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif"], Modes = ["at"], Alphas = [0], Seeds = [1],
            Epochs = 4, AttackSuite = "reliable",
            Search = new SearchSpec
            {
                Algorithm = "asha", Seed = 11,
                Space = new SearchSpace(SearchDimension.LogUniform("alpha", 1e-3, 10, zeroProbability: 0.3),
                    SearchDimension.LogUniform("learningRate", 1e-4, 1e-2), SearchDimension.Choice("timeSteps", 4, 6)),
                Objective = new SearchObjective { Measure = "worst-case", Epsilon255 = 8, CleanFloor = Floor, Pareto = true },
                Asha = new AshaSettings { MinEpochs = 1, Eta = 2, ProbeSteps = 10, ProbeExamples = 256 },
                Budget = new SearchBudget { Experiments = Trials, TrainerEpochs = 60, SlotHours = 2 },
            },
        };
        var run = new SearchRun(Spec, new SearchState());
        for (var t = 0; t < Trials; t++) run.Propose([]);
        Phases[FailedTrial] = ExperimentPhase.Failed;
        Phases[RunningTrial] = ExperimentPhase.Training;

        for (var t = 0; t < ProbeAtRung0.Length; t++) Report(run, t, 0, 1, ProbeAtRung0[t], t == UnderFloorAtRung0 ? 0.4 : 0.8);
        foreach (var t in Promoted(run, 1)) Report(run, t, 1, 2, ProbeAtRung1[t], 0.85);
        var completing = Promoted(run, 2).ToList();
        for (var i = 0; i < completing.Count; i++)
        {
            var (robust, clean) = Completions[i];
            Outcomes[completing[i]] = Outcome(robust, clean, doubted: false);
        }
        var best = Outcomes.Where(o => o.Value.CleanAccuracy >= Floor).MaxBy(o => o.Value.WorstCases[0].Accuracy).Key;
        if (doubtBest) Outcomes[best] = Outcome(Outcomes[best].WorstCases[0].Accuracy, Outcomes[best].CleanAccuracy, doubted: true);
        foreach (var (t, outcome) in Outcomes)
        {
            run.ReportOutcome(t, outcome);
            Phases[t] = ExperimentPhase.Completed;
        }
        for (var t = 0; t < Trials; t++)
        {
            SlotSeconds[t] = 30 + 7 * t;
            run.RecordSlotSeconds(t, SlotSeconds[t]);
        }
        Snapshot = run.Snapshot(Sweep, [.. Enumerable.Range(0, Trials).Select(t => (byte)Phases[t])], Outcomes);
    }

    void Report(SearchRun run, int trial, int rung, int epoch, double probe, double validation)
    {
        var m = new RungMeasurement
        {
            Epoch = epoch, ValidationAccuracy = validation, ProbeCleanAccuracy = validation, ProbeRobustAccuracy = probe,
            ProbeExamples = 256, ProbeAttack = "PGD-10", Epsilon = 8 / 255.0,
        };
        run.ReportRung(trial, m);
        if (!Scores.TryGetValue(trial, out var scores)) Scores[trial] = scores = [];
        scores[rung] = validation >= Floor ? probe : probe - 1;
        Phases[trial] = ExperimentPhase.Stopped; // until a promotion moves it on
    }

    /// <summary>Trials the policy sends on to <paramref name="rung"/>, in trial order.</summary>
    static IEnumerable<int> Promoted(SearchRun run, int rung) => Enumerable.Range(0, ProbeAtRung0.Length).Where(t => run.TargetRung(t) >= rung);

    static ExperimentOutcome Outcome(double robust, double clean, bool doubted) => new()
    {
        CleanAccuracy = clean, Examples = 200,
        WorstCases = [new AttackAccuracy(WorstCase.Label, 8 / 255.0, robust, 200, false)],
        Attacks = [new AttackAccuracy("PGD-10", 8 / 255.0, robust + 0.02, 200, false) { Unreliable = doubted }],
        MaskingFlags = doubted ? ["stronger-attack-found"] : [],
        MaskingMessages = doubted ? ["stronger-attack-found: square broke 9 of the 90 images pgd left correct"] : [],
    };

    public TrialSnapshot Trial(int number) => Snapshot.Trials.Single(t => t.Number == number);

    /// <summary>Trials that reported at a rung and went no further, with that rung.</summary>
    public IEnumerable<(int Trial, int Rung)> Stopped =>
        Phases.Where(p => p.Value == ExperimentPhase.Stopped).Select(p => (p.Key, Scores[p.Key].Keys.Max())).OrderBy(x => x.Item1);

    /// <summary>The completed trials no other completed trial beats on both clean and robust accuracy.</summary>
    public IReadOnlySet<int> Front => Outcomes.Where(a => !Outcomes.Any(b =>
            b.Value.CleanAccuracy >= a.Value.CleanAccuracy && b.Value.WorstCases[0].Accuracy >= a.Value.WorstCases[0].Accuracy &&
            (b.Value.CleanAccuracy > a.Value.CleanAccuracy || b.Value.WorstCases[0].Accuracy > a.Value.WorstCases[0].Accuracy)))
        .Select(a => a.Key).ToHashSet();

    /// <summary>The feasible completed trial with the highest robust accuracy.</summary>
    public int Best => Outcomes.Where(o => o.Value.CleanAccuracy >= Floor).MaxBy(o => o.Value.WorstCases[0].Accuracy).Key;
}
