using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Studies;

/// <summary>
/// An adaptive search run on the study's problem next to its grid: its best trial against the grid's best cell of the
/// same seed, paired on the same test images, and what each cost. The question a search has to answer: does it find
/// what the grid finds (within <see cref="Margin"/>), for a fraction of the grid's compute?
/// </summary>
public sealed record StudySearch(
    string Part, string Algorithm, int Seed, int Trials, int Completed, StudyCell Best, StudyCell? GridBest,
    double Difference, Interval DifferenceInterval, int OnlySearch, int OnlyGrid, double P,
    double SearchSeconds, double GridSeconds, int GridCells, double SearchExpiredSeconds, double GridExpiredSeconds)
{
    /// <summary>Non-inferiority margin: the search's best may trail the grid's by at most this much (3 points).</summary>
    public const double Margin = 0.03;

    /// <summary>The 95% lower bound of (search best - grid best) is above -<see cref="Margin"/>.</summary>
    public bool NonInferior => GridBest is not null && DifferenceInterval.Low > -Margin;

    /// <summary>The search's trainer-seconds (all attempts, stopped trials included) over the grid's for the same seed.</summary>
    public double CostRatio => GridSeconds > 0 ? SearchSeconds / GridSeconds : double.NaN;

    /// <summary>The ratio without attempts that ended by lease expiry: their wall time runs until the lease lapsed, and
    /// when a sitting ended under them it includes time no trainer ran (the work they did is redone or resumed later).</summary>
    public double CostRatioWithoutExpired => GridSeconds - GridExpiredSeconds > 0
        ? (SearchSeconds - SearchExpiredSeconds) / (GridSeconds - GridExpiredSeconds) : double.NaN;

    public bool AnyExpired => SearchExpiredSeconds > 0 || GridExpiredSeconds > 0;

    /// <summary>The search part's best trial against the grid cells of its seed; null when the part completed no trial.</summary>
    public static StudySearch? Of(StudyPart part, IReadOnlyList<StudyCell> trials, IReadOnlyList<StudyCell> grid, IReadOnlyList<StudyPart> gridParts)
    {
        if (trials.Count == 0) return null;
        var best = trials.OrderByDescending(t => t.WorstAccuracy).ThenBy(t => t.Point.Trial).First();
        int seed = best.Point.Seed;
        var sameSeed = grid.Where(c => c.Point.Seed == seed && SameArm(c, best)).ToList();
        var gridBest = sameSeed.OrderByDescending(c => c.WorstAccuracy).ThenBy(c => c.Point.Alpha).FirstOrDefault();
        var keys = sameSeed.Select(c => c.Point).ToHashSet();
        var gridAttempts = gridParts.SelectMany(p => p.Attempts.Select(a => (p, a)))
            .Where(x => x.p.Experiments.Any(e => e.Key == x.a.Experiment && keys.Contains(e.Point))).Select(x => x.a).ToList();
        double gridSeconds = gridAttempts.Sum(a => a.Seconds), searchSeconds = part.Attempts.Sum(a => a.Seconds);
        double gridExpired = gridAttempts.Where(Expired).Sum(a => a.Seconds), searchExpired = part.Attempts.Where(Expired).Sum(a => a.Seconds);
        int proposed = part.Attempts.Select(a => a.Experiment).Distinct(StringComparer.Ordinal).Count();
        if (gridBest is null)
            return new StudySearch(part.Name, part.Spec.Search!.Algorithm, seed, Math.Max(proposed, trials.Count), trials.Count, best, null,
                double.NaN, new Interval(double.NaN, double.NaN), 0, 0, double.NaN, searchSeconds, gridSeconds, 0, searchExpired, gridExpired);
        var (onlySearch, onlyGrid) = ExampleMask.Discordant(best.Worst, gridBest.Worst);
        return new StudySearch(part.Name, part.Spec.Search!.Algorithm, seed, Math.Max(proposed, trials.Count), trials.Count, best, gridBest,
            best.WorstAccuracy - gridBest.WorstAccuracy, Accuracy.PairedDifference([best.Worst], [gridBest.Worst]),
            onlySearch, onlyGrid, Accuracy.McNemarExact(onlySearch, onlyGrid), searchSeconds, gridSeconds, sameSeed.Count, searchExpired, gridExpired);
    }

    static bool Expired(StudyAttempt a) => a.Exit == ExitReason.LeaseExpired;

    static bool SameArm(StudyCell a, StudyCell b) =>
        (a.Point.Dataset, a.Point.Architecture, a.Point.Neuron, a.Point.Mode) == (b.Point.Dataset, b.Point.Architecture, b.Point.Neuron, b.Point.Mode);
}
