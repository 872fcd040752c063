using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Grains.Results;

/// <summary>
/// The one aggregation of completed experiments over seeds: console table, CSV/JSON export, plots and the accuracy
/// metric all read its rows.
/// </summary>
public static class ResultsTable
{
    /// <summary>
    /// Groups by (dataset, architecture, neuron, mode, alpha, search trial) and measure: "clean" (on the attacked images), the
    /// per-example "worst-case" at each epsilon, then every attack (name and epsilon) in first-seen order; sanity
    /// attacks are left out. Mean and sample standard deviation are over seeds (std 0 for one seed); the interval is
    /// Wilson for one seed, over seeds and images for more (see <see cref="SeedInterval"/>). Each row is compared with its baseline twin (alpha =
    /// <paramref name="baselineAlpha"/>, same seed) on the same images by an exact McNemar test, where per-example
    /// results exist; a null <paramref name="baselineAlpha"/> skips that test (the metrics, computed in a grain turn, need
    /// only the means and intervals). Ordered by dataset, architecture, neuron, mode (ordinal), alpha (numeric), then measure.
    /// </summary>
    public static IReadOnlyList<ResultRow> Build(IEnumerable<CompletedExperiment> rows, double? baselineAlpha = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var order = new Dictionary<(string Attack, double Epsilon), int> { [(ResultRow.Clean, 0)] = 0 };
        var cells = new Dictionary<CellKey, List<Measured>>();
        var all = rows.ToList();
        foreach (var row in all)
        {
            var (p, o) = (row.Point, row.Outcome);
            var flags = o.MaskingFlags ?? [];
            void Add(string attack, double epsilon, Measured m)
            {
                order.TryAdd((attack, epsilon), order.Count);
                var key = new CellKey(p.Dataset, p.Architecture, p.Neuron, p.Mode, p.Alpha, p.Trial, attack, epsilon);
                if (!cells.TryGetValue(key, out var values)) cells[key] = values = [];
                values.Add(m);
            }

            Add(ResultRow.Clean, 0, new(p.Seed, o.CleanAccuracy, o.Examples, o.CleanMask, flags, false));
            foreach (var w in o.WorstCases ?? [])
                Add(w.Attack, w.Epsilon, Measure(p.Seed, w, flags) with
                {
                    Budget = o.BelowStandardBudget ? $"{o.Budget}: {o.BudgetDescription}" : o.Budget, BelowStandard = o.BelowStandardBudget,
                });
            foreach (var attack in (o.Attacks ?? []).Where(a => !a.Sanity))
                Add(attack.Attack, attack.Epsilon, Measure(p.Seed, attack, flags));
        }

        return cells
            .OrderBy(c => c.Key.Dataset, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Architecture, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Neuron, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Mode, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Alpha)
            .ThenBy(c => c.Key.Trial)
            .ThenBy(c => order[(c.Key.Attack, c.Key.Epsilon)])
            .Select(c => ToRow(c.Key, c.Value, baselineAlpha is not { } b || c.Key.Alpha == b ? null : Baseline(cells, c.Key, b)))
            .ToList();
    }

    /// <summary>
    /// The twin at the baseline alpha: the same grid point, or for a search trial the lowest-numbered trial that ran
    /// at the baseline alpha (trials differ only in their searched values), if one completed.
    /// </summary>
    static List<Measured>? Baseline(Dictionary<CellKey, List<Measured>> cells, CellKey key, double baselineAlpha)
    {
        if (key.Trial is null) return cells.GetValueOrDefault(key with { Alpha = baselineAlpha });
        return cells.Where(c => c.Key with { Trial = null } == key with { Alpha = baselineAlpha, Trial = null } && c.Key.Trial is not null)
            .OrderBy(c => c.Key.Trial).Select(c => c.Value).FirstOrDefault();
    }

    static Measured Measure(int seed, AttackAccuracy a, string[] flags) =>
        new(seed, a.Accuracy, a.Examples, a.Mask, flags, a.Unreliable);

    private static ResultRow ToRow(CellKey key, List<Measured> values, List<Measured>? baseline)
    {
        var n = values.Count;
        var mean = values.Sum(v => v.Accuracy) / n;
        var std = n < 2 ? 0 : Math.Sqrt(values.Sum(v => (v.Accuracy - mean) * (v.Accuracy - mean)) / (n - 1));
        var flags = values.SelectMany(v => v.Flags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var interval = SeedInterval(values);
        var (delta, p) = Compare(values, baseline);
        return new ResultRow(key.Dataset, key.Architecture, key.Neuron, key.Mode, key.Alpha, key.Attack, key.Epsilon,
            mean, std, n, values.Count(v => v.Flags.Length > 0), flags)
        {
            Trial = key.Trial,
            Interval = interval, Examples = values[0].Examples, Unreliable = values.Any(v => v.Unreliable),
            Delta = delta, PValue = p,
            BelowStandardBudget = values.Any(v => v.BelowStandard), Budget = values.Select(v => v.Budget).FirstOrDefault(b => b is not null),
        };
    }

    /// <summary>
    /// One seed: Wilson over its images. Several seeds scored on the same images: the interval over seeds and images
    /// (<see cref="Accuracy.AcrossSeedsAndImages"/>); without per-example results (older runs), the t-interval over
    /// seeds widened to at least the Wilson interval of the mean on those images.
    /// </summary>
    static Interval SeedInterval(List<Measured> values)
    {
        var examples = values[0].Examples;
        if (examples <= 0) return Accuracy.MeanInterval(values.Select(v => v.Accuracy).ToList()) ?? new Interval(0, 1);
        if (values.Count == 1) return Accuracy.Wilson(values[0].Accuracy, examples);
        if (values.All(v => v.Mask is not null && v.Examples == examples))
            return Accuracy.AcrossSeedsAndImages(values.Select(v => ExampleMask.Unpack(v.Mask!, examples)).ToList());
        var mean = values.Average(v => v.Accuracy);
        var wilson = Accuracy.Wilson(mean, examples);
        var t = Accuracy.MeanInterval(values.Select(v => v.Accuracy).ToList())!.Value;
        return new Interval(Math.Min(t.Low, wilson.Low), Math.Max(t.High, wilson.High));
    }

    /// <summary>Mean difference over the seeds both sides have, and McNemar on their pooled discordant images.</summary>
    static (double?, double?) Compare(List<Measured> values, List<Measured>? baseline)
    {
        if (baseline is null) return (null, null);
        var pairs = values.Join(baseline, v => v.Seed, b => b.Seed, (v, b) => (v, b)).ToList();
        if (pairs.Count == 0) return (null, null);
        var delta = pairs.Average(x => x.v.Accuracy - x.b.Accuracy);
        int better = 0, worse = 0;
        foreach (var (v, b) in pairs)
        {
            if (v.Mask is null || b.Mask is null || v.Examples != b.Examples || v.Examples == 0) return (delta, null);
            var (onlyThis, onlyBaseline) = ExampleMask.Discordant(ExampleMask.Unpack(v.Mask, v.Examples), ExampleMask.Unpack(b.Mask, b.Examples));
            better += onlyThis;
            worse += onlyBaseline;
        }
        return (delta, Accuracy.McNemarExact(better, worse));
    }

    private sealed record Measured(int Seed, double Accuracy, int Examples, string? Mask, string[] Flags, bool Unreliable)
    {
        public string? Budget { get; init; }
        public bool BelowStandard { get; init; }
    }

    private readonly record struct CellKey(
        string Dataset, string Architecture, string Neuron, string Mode, double Alpha, int? Trial, string Attack, double Epsilon);
}
