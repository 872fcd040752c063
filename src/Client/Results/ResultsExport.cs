using StableSnn.Contracts;
using StableSnn.Grains.Results;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>The whole of a JSON export: every experiment as measured, and the seed-averaged table.</summary>
public sealed record ResultsDocument(IReadOnlyList<CompletedExperiment> Experiments, IReadOnlyList<ResultRow> Table);

/// <summary>Writes results for analysis elsewhere (pandas, R, a spreadsheet). Both writers replace the file atomically.</summary>
public static class ResultsExport
{
    public const string CsvHeader =
        "experiment,dataset,architecture,neuron,mode,alpha,seed,attack,epsilon,accuracy,clean_accuracy,sanity,masking_flags," +
        "correct,examples,ci_low,ci_high,unreliable,eps_255,baseline_delta,baseline_p,significant,findings,budget";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A diverged run can report NaN; the export must still be written.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Long format: one line per experiment and attack, the clean accuracy first as attack "clean" with epsilon 0, then
    /// the per-example "worst-case" at each epsilon, then the attacks, sanity attacks included (sanity = true). The
    /// interval is Wilson's over the experiment's images; unreliable marks numbers the masking checks doubt. Experiments are ordered by grid point and seed; numbers use the
    /// invariant culture in round-trip form; masking flags are joined with ';'. eps_255 is the epsilon as k/255 ("8/255";
    /// empty for clean). Against the baseline twin (same grid point and seed, alpha <paramref name="baselineAlpha"/>, same
    /// measure): baseline_delta is the accuracy difference, baseline_p the exact McNemar p-value on the same images
    /// (empty without masks), significant whether p &lt; 0.05; all three empty on the baseline itself.
    /// </summary>
    public static void WriteCsv(IEnumerable<CompletedExperiment> rows, string path, double? baselineAlpha = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder().Append(CsvHeader).Append('\n');
        var all = Ordered(rows).ToList();
        var twins = baselineAlpha is { } b
            ? all.Where(r => r.Point.Alpha == b).GroupBy(r => r.Point with { Alpha = 0 }).ToDictionary(g => g.Key, g => g.First())
            : [];
        foreach (var row in all)
        {
            var twin = baselineAlpha is { } ba && row.Point.Alpha != ba ? twins.GetValueOrDefault(row.Point with { Alpha = 0 }) : null;
            var p = row.Point;
            var o = row.Outcome;
            var flags = string.Join(';', o.MaskingFlags ?? []);
            var findings = string.Join(';', o.Findings ?? []);
            // The worst case carries the budget it was measured at ("reduced: ..." below AutoAttack's standard).
            var budget = o.Budget is null ? "" : o.BelowStandardBudget ? $"{o.Budget}: {o.BudgetDescription}" : o.Budget;
            void Line(string attack, double epsilon, double accuracy, bool sanity, int examples, bool unreliable, string? mask)
            {
                var correct = (int)Math.Round(accuracy * examples);
                var ci = examples > 0 ? Accuracy.Wilson(accuracy, examples) : (Interval?)null;
                var (delta, pValue) = twin is null ? (null, null) : Paired(twin.Outcome, attack, epsilon, accuracy, examples, mask);
                text.AppendJoin(',',
                    Field(row.Key), Field(p.Dataset), Field(p.Architecture), Field(p.Neuron), Field(p.Mode),
                    Number(p.Alpha), p.Seed.ToString(CultureInfo.InvariantCulture), Field(attack), Number(epsilon),
                    Number(accuracy), Number(o.CleanAccuracy), sanity ? "true" : "false", Field(flags),
                    examples > 0 ? correct.ToString(CultureInfo.InvariantCulture) : "", examples > 0 ? examples.ToString(CultureInfo.InvariantCulture) : "",
                    ci is { } c ? Number(c.Low) : "", ci is { } h ? Number(h.High) : "", unreliable ? "true" : "false",
                    attack == ResultRow.Clean ? "" : PivotFormat.Eps(epsilon),
                    delta is { } d ? Number(d) : "", pValue is { } pv ? Number(pv) : "", pValue is { } sig ? (sig < 0.05 ? "true" : "false") : "",
                    Field(findings), attack == WorstCase.Label ? Field(budget) : "").Append('\n');
            }

            Line(ResultRow.Clean, 0, o.CleanAccuracy, false, o.Examples, false, o.CleanMask);
            foreach (var w in o.WorstCases ?? [])
                Line(w.Attack, w.Epsilon, w.Accuracy, false, w.Examples, false, w.Mask);
            foreach (var attack in o.Attacks ?? [])
                Line(attack.Attack, attack.Epsilon, attack.Accuracy, attack.Sanity, attack.Examples, attack.Unreliable, attack.Mask);
        }
        AtomicFile.Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()));
    }

    /// <summary>This measure against the same one of the baseline twin: difference, and McNemar's p where both have masks.</summary>
    static (double?, double?) Paired(ExperimentOutcome baseline, string attack, double epsilon, double accuracy, int examples, string? mask)
    {
        var (baseAccuracy, baseExamples, baseMask) = attack == ResultRow.Clean
            ? (baseline.CleanAccuracy, baseline.Examples, baseline.CleanMask)
            : (baseline.WorstCases ?? []).Concat(baseline.Attacks ?? []).FirstOrDefault(a => a.Attack == attack && a.Epsilon == epsilon) is { } a
                ? (a.Accuracy, a.Examples, a.Mask)
                : (double.NaN, 0, null);
        if (double.IsNaN(baseAccuracy)) return (null, null);
        if (mask is null || baseMask is null || examples == 0 || examples != baseExamples) return (accuracy - baseAccuracy, null);
        var (better, worse) = ExampleMask.Discordant(ExampleMask.Unpack(mask, examples), ExampleMask.Unpack(baseMask, baseExamples));
        return (accuracy - baseAccuracy, Accuracy.McNemarExact(better, worse));
    }

    public const string AttemptsHeader = "experiment,attempt,node,slot,started,ended,seconds,exit";

    /// <summary>One line per finished attempt, in start order, times in ISO 8601 UTC: the slot timeline as data.</summary>
    public static void WriteAttemptsCsv(IEnumerable<AttemptSpan> spans, string path)
    {
        var text = new StringBuilder().Append(AttemptsHeader).Append('\n');
        foreach (var s in spans.OrderBy(s => s.Start).ThenBy(s => s.Experiment, StringComparer.Ordinal))
            text.AppendJoin(',', Field(s.Experiment), s.Attempt.ToString(CultureInfo.InvariantCulture), Field(s.Node), Field(s.Slot),
                s.Start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), s.End.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                Number((s.End - s.Start).TotalSeconds), Field(s.Exit)).Append('\n');
        AtomicFile.Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()));
    }

    /// <summary>Writes <c>{"experiments": [...], "table": [...]}</c> with camelCase names; read it back with <see cref="ReadJson"/>.</summary>
    public static void WriteJson(IEnumerable<CompletedExperiment> rows, IReadOnlyList<ResultRow> table, string path)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(table);
        var document = new ResultsDocument(Ordered(rows).ToList(), table);
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, document, Json));
    }

    /// <summary>Reads a file written by <see cref="WriteJson"/>.</summary>
    public static ResultsDocument ReadJson(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<ResultsDocument>(stream, Json)
               ?? throw new InvalidDataException($"results file '{path}' holds null instead of an object with experiments and table");
    }

    private static IEnumerable<CompletedExperiment> Ordered(IEnumerable<CompletedExperiment> rows) => rows
        .OrderBy(r => r.Point.Dataset, StringComparer.Ordinal)
        .ThenBy(r => r.Point.Architecture, StringComparer.Ordinal)
        .ThenBy(r => r.Point.Neuron, StringComparer.Ordinal)
        .ThenBy(r => r.Point.Mode, StringComparer.Ordinal)
        .ThenBy(r => r.Point.Alpha)
        .ThenBy(r => r.Point.Seed)
        .ThenBy(r => r.Key, StringComparer.Ordinal);

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // RFC 4180: quote a field holding a separator, a quote or a line break, doubling the quotes inside.
    internal static string Field(string? value)
    {
        value ??= "";
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }
}
