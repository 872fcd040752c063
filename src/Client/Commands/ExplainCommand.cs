using StableSnn.Contracts;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

/// <summary>
/// Why an experiment is where it is: its phase, its attempts, and what keeps a waiting one waiting; for a search trial
/// also its rungs, the search's decisions about it and its objective.
/// </summary>
public sealed class ExplainCommand : CliCommand<ExplainCommand.Settings>
{
    public sealed class Settings : ClusterSettings
    {
        [CommandArgument(0, "<EXPERIMENT>")]
        [Description("Experiment key, e.g. quickstart/fashion-mnist/small-cnn/lif/at/a0.5/s42, or .../t003-a0.5/s42 for a search trial ('stablesnn results' lists them).")]
        public string Experiment { get; init; } = "";
    }

    protected override async Task<int> Run(ClusterConnection cluster, Settings settings, CancellationToken cancel)
    {
        var key = settings.Experiment;
        if (GridPoint.SplitKey(key) is not var (sweepName, _))
            throw new CliException($"experiment: '{key}' is not an experiment key (sweep/dataset/architecture/neuron/mode/aALPHA/sSEED)");
        var sweep = cluster.Grains.GetGrain<ISweepGrain>(sweepName);
        var snapshot = await sweep.GetSnapshot();
        if (await sweep.GetSpec() is not { } spec) throw new CliException($"sweep '{sweepName}' does not exist");
        var e = await cluster.Grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
        var phaseInSweep = (await FindPhase(sweep, key)) ?? e.Phase;

        AnsiConsole.MarkupLine(Markup.Escape($"{key}: {phaseInSweep}" + (e.Why is { } why ? $" ({why})" : "")));
        foreach (var a in e.Attempts)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"  attempt {a.Number} on {a.Slot} from {a.StartedAt:u}: {a.ExitReason?.ToString() ?? "running"}" +
                (a.Message is { } m ? $" - {m}" : "") + (a.LastCheckpoint is { } c ? $" (last checkpoint {c})" : "")));
            foreach (var setAside in a.CheckpointsSetAside)
                AnsiConsole.MarkupLine("[yellow]" + Markup.Escape($"    {setAside}") + "[/]");
        }

        if (e.Outcome is { } o) PrintOutcome(o);

        if (phaseInSweep.IsWaiting())
        {
            var scheduler = await cluster.Grains.Scheduler().GetSnapshot();
            int running = snapshot.Running;
            var reasons = new List<string>();
            if (snapshot.Status == SweepStatus.Paused) reasons.Add("the sweep is paused: 'stablesnn resume " + sweepName + "'");
            if (e.NotBefore is { } nb && nb > DateTimeOffset.UtcNow) reasons.Add($"waiting for its retry back-off until {nb:HH:mm:ss}");
            if (spec.MaxConcurrency > 0 && running >= spec.MaxConcurrency) reasons.Add($"the sweep already runs {running} experiments, its maxConcurrency");
            var kind = spec.Resources.SlotKind;
            var fitting = scheduler.Slots.Where(s => kind == Vocabulary.AnySlot || s.Slot.Kind == kind).ToList();
            if (fitting.Count == 0) reasons.Add($"no slot of kind '{kind}' is registered (see 'stablesnn slots')");
            else if (fitting.All(s => s.ExperimentKey is not null)) reasons.Add($"all {fitting.Count} fitting slots are busy");
            if (reasons.Count == 0) reasons.Add("it is next in line; the scheduler hands it out at a node's next report");
            foreach (var r in reasons) AnsiConsole.MarkupLine(Markup.Escape("  waiting because " + r));
        }
        if (await sweep.GetSearch() is { } search && search.Trials.FirstOrDefault(t => t.Key == key) is { } trial)
            SearchView.Explain(AnsiConsole.Console, search, trial, e, searchEnded: snapshot.Status is SweepStatus.Completed or SweepStatus.Cancelled);
        return 0;
    }

    /// <summary>What the experiment measured, worst case first, and what every masking check said.</summary>
    static void PrintOutcome(ExperimentOutcome o)
    {
        string Line(string name, double eps, double accuracy, int examples, bool unreliable)
        {
            var ci = Accuracy.Wilson(accuracy, examples);
            return $"  {name,-20} {(eps > 0 ? ResultsView.Eps(eps) : ""),-8} {100 * accuracy,5:F1}%  [{100 * ci.Low:F1}, {100 * ci.High:F1}]" +
                   (unreliable ? "  unreliable (masking checks)" : "");
        }
        AnsiConsole.MarkupLine(Markup.Escape($"  measured on {o.Examples} test images (clean accuracy on {o.TestExamples}: {100 * o.TestAccuracy:F1}%):"));
        AnsiConsole.MarkupLine(Markup.Escape(Line("clean", 0, o.CleanAccuracy, o.Examples, false)));
        foreach (var w in o.WorstCases) AnsiConsole.MarkupLine("[bold]" + Markup.Escape(Line(w.Attack, w.Epsilon, w.Accuracy, w.Examples, false)) + "[/]");
        foreach (var a in o.Attacks) AnsiConsole.MarkupLine(Markup.Escape(Line(a.Attack, a.Epsilon, a.Accuracy, a.Examples, a.Unreliable)));
        foreach (var m in o.MaskingMessages) AnsiConsole.MarkupLine("[red]  masking check " + Markup.Escape(m) + "[/]");
        if (o.Attacks.Length > 0 && o.MaskingMessages.Length == 0) AnsiConsole.MarkupLine("  masking checks: none fired");
    }

    static async Task<ExperimentPhase?> FindPhase(ISweepGrain sweep, string key)
    {
        foreach (var phase in Enum.GetValues<ExperimentPhase>())
            if ((await sweep.ListExperiments(phase, int.MaxValue)).Contains(key)) return phase;
        return null;
    }
}
