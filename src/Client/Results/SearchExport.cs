using System.Globalization;
using System.Text;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Results;

/// <summary>A search's trials and Pareto front as CSV, for analysis elsewhere; both files are replaced atomically.</summary>
public static class SearchExport
{
    public const string TrialsFile = "search-trials.csv", ParetoFile = "pareto.csv";
    public const string ParetoHeader = "trial,experiment,alpha,clean,robust";

    /// <summary>The header for this search: a score column per rung ("rung_0_epoch_1_score"), none without rungs.</summary>
    public static string TrialsHeader(SearchSnapshot s) => string.Join(',', new[] { "trial,experiment,alpha,learning_rate,time_steps,status,epochs" }
        .Concat(s.RungEpochs.Select((e, k) => $"rung_{k}_epoch_{e}_score"))
        .Append("objective_robust,objective_clean,objective_measure,feasible,doubted,on_pareto_front,best,slot_seconds"));

    /// <summary>
    /// One line per trial in trial order. status as <see cref="SearchTable.Status"/>; epochs is what the trial trained or
    /// trains to; a rung's score is empty where the trial never reported there (the last rung's score is the
    /// objective's score, robust accuracy minus 1 under the clean floor). The objective's columns are empty until the
    /// trial completes. Invariant culture, round-trip numbers.
    /// </summary>
    public static void WriteTrialsCsv(SearchSnapshot s, string path)
    {
        ArgumentNullException.ThrowIfNull(s);
        var text = new StringBuilder().Append(TrialsHeader(s)).Append('\n');
        foreach (var row in SearchTable.ByTrial(s))
        {
            var (t, o) = (row.Trial, row.Objective);
            text.AppendJoin(',', new[]
                {
                    Int(t.Number), ResultsExport.Field(t.Key), ResultsExport.Number(t.Point.Alpha),
                    t.Point.LearningRate is { } lr ? ResultsExport.Number(lr) : "", t.Point.TimeSteps is { } steps ? Int(steps) : "",
                    ResultsExport.Field(row.Status), Int(t.Epochs),
                }
                .Concat(row.RungScores.Select(score => score is { } v ? ResultsExport.Number(v) : ""))
                .Concat([
                    o is null ? "" : ResultsExport.Number(o.Robust), o is null ? "" : ResultsExport.Number(o.Clean),
                    ResultsExport.Field(o?.Measure), o is null ? "" : Bool(o.Feasible), o is null ? "" : Bool(o.Doubted),
                    Bool(row.OnFront), Bool(row.IsBest), ResultsExport.Number(t.SlotSeconds),
                ])).Append('\n');
        }
        AtomicFile.Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()));
    }

    /// <summary>The clean/robust Pareto front of the completed trials, in the engine's order (clean accuracy descending).</summary>
    public static void WriteParetoCsv(SearchSnapshot s, string path)
    {
        ArgumentNullException.ThrowIfNull(s);
        var text = new StringBuilder().Append(ParetoHeader).Append('\n');
        foreach (var number in s.ParetoFront)
        {
            if (s.Trials.FirstOrDefault(t => t.Number == number) is not { Objective: { } o } t) continue;
            text.AppendJoin(',', Int(t.Number), ResultsExport.Field(t.Key), ResultsExport.Number(t.Point.Alpha),
                ResultsExport.Number(o.Clean), ResultsExport.Number(o.Robust)).Append('\n');
        }
        AtomicFile.Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()));
    }

    static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    static string Bool(bool value) => value ? "true" : "false";
}
