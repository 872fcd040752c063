using StableSnn.Grains.Model;

namespace StableSnn.Grains.Results;

/// <summary>Averages completed experiments over seeds into the rows a report shows.</summary>
public static class ResultsTable
{
    /// <summary>
    /// Groups by (dataset, architecture, neuron, mode, alpha) and attack (name and epsilon), with a "clean" row per
    /// group from <see cref="ExperimentOutcome.CleanAccuracy"/>. Sanity attacks are left out. Mean and sample standard
    /// deviation are over seeds (std 0 for one seed); Flagged counts the seeds whose experiment raised masking flags.
    /// Ordered by dataset, architecture, neuron, mode (ordinal), alpha (numeric), then clean followed by the attacks
    /// in the order they first appear in <paramref name="rows"/>.
    /// </summary>
    public static IReadOnlyList<ResultRow> Build(IEnumerable<ExperimentResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var attackOrder = new Dictionary<(string Attack, double Epsilon), int> { [(ResultRow.Clean, 0)] = 0 };
        var cells = new Dictionary<CellKey, List<(double Accuracy, string[] Flags)>>();

        foreach (var row in rows)
        {
            var p = row.Point;
            var flags = row.Outcome.MaskingFlags ?? [];
            void Add(string attack, double epsilon, double accuracy)
            {
                attackOrder.TryAdd((attack, epsilon), attackOrder.Count);
                var key = new CellKey(p.Dataset, p.Architecture, p.Neuron, p.Mode, p.Alpha, attack, epsilon);
                if (!cells.TryGetValue(key, out var values)) cells[key] = values = [];
                values.Add((accuracy, flags));
            }

            Add(ResultRow.Clean, 0, row.Outcome.CleanAccuracy);
            foreach (var attack in row.Outcome.Attacks ?? [])
                if (!attack.Sanity) Add(attack.Attack, attack.Epsilon, attack.Accuracy);
        }

        return cells
            .OrderBy(c => c.Key.Dataset, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Architecture, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Neuron, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Mode, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Alpha)
            .ThenBy(c => attackOrder[(c.Key.Attack, c.Key.Epsilon)])
            .Select(c => ToRow(c.Key, c.Value))
            .ToList();
    }

    private static ResultRow ToRow(CellKey key, List<(double Accuracy, string[] Flags)> values)
    {
        var n = values.Count;
        var mean = values.Sum(v => v.Accuracy) / n;
        var std = n < 2 ? 0 : Math.Sqrt(values.Sum(v => (v.Accuracy - mean) * (v.Accuracy - mean)) / (n - 1));
        var flags = values.SelectMany(v => v.Flags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new ResultRow(key.Dataset, key.Architecture, key.Neuron, key.Mode, key.Alpha, key.Attack, key.Epsilon,
            mean, std, n, values.Count(v => v.Flags.Length > 0), flags);
    }

    private readonly record struct CellKey(
        string Dataset, string Architecture, string Neuron, string Mode, double Alpha, string Attack, double Epsilon);
}
