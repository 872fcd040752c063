using System.Globalization;
using StableSnn.Client.Commands;
using StableSnn.Client.Hosting;
using StableSnn.Client.Results;
using StableSnn.Client.Specs;
using StableSnn.Grains.Model;
using StableSnn.Grains.Policy;

namespace StableSnn.Client.Studies;

/// <summary>One finished attempt of a part, as attempts.csv lists it.</summary>
public sealed record StudyAttempt(string Experiment, int Attempt, string Node, string Slot, DateTimeOffset Started, DateTimeOffset Ended, ExitReason Exit)
{
    public double Seconds => (Ended - Started).TotalSeconds;

    /// <summary>Ended before its work was done (a crash, a lost lease, a stop): the next attempt resumed it. A search
    /// trial pausing at its rung (<see cref="ExitReason.RungReached"/>) ended as asked, like a finished one.</summary>
    public bool Interrupted => !Exit.EndedAsAsked();
}

/// <summary>
/// One sitting's share of a study: a sweep over a subset of the study's cells, exported (`stablesnn export`) into its
/// own folder with the spec it ran (spec.yaml) and, optionally, run.txt ("key: value" lines: command, commit, ...).
/// </summary>
public sealed record StudyPart(
    string Name, string Folder, SweepSpec Spec, IReadOnlyList<CompletedExperiment> Experiments, IReadOnlyList<StudyAttempt> Attempts,
    IReadOnlyList<(string Key, string Value)> Run)
{
    public const string SpecFile = "spec.yaml", RunFile = "run.txt";

    /// <summary>An adaptive search on the study's problem (its trials are not grid cells), reported next to the grid.</summary>
    public bool IsSearch => Spec.ProposesTrials;

    /// <summary>First attempt's start to last attempt's end; null without attempts.</summary>
    public TimeSpan? Wall => Attempts.Count == 0 ? null : Attempts.Max(a => a.Ended) - Attempts.Min(a => a.Started);

    /// <summary>
    /// Every sub-folder of <paramref name="folder"/> holding results.json, in name order. Each part's spec must give
    /// the trainer exactly the study's experiment for every cell it ran (same training, data, images and suite; only
    /// the sweep name and which alphas and seeds differ), and no cell may be measured by two parts.
    /// </summary>
    /// <exception cref="CliException">A part is unreadable, disagrees with the study, or repeats a cell.</exception>
    public static IReadOnlyList<StudyPart> LoadAll(SweepSpec study, string folder)
    {
        if (!Directory.Exists(folder)) throw new CliException($"--parts: folder '{folder}' does not exist; export each part there with 'stablesnn export PART --out {folder}/PART' and copy its spec as spec.yaml");
        var parts = Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, ResultsView.JsonFile)))
            .Select(d => Load(study, d)).ToList();
        if (parts.Count == 0) throw new CliException($"--parts: no part in '{folder}' (a part is a folder with {ResultsView.JsonFile} and {SpecFile})");
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Where(p => !p.IsSearch))
            foreach (var e in part.Experiments)
                if (!seen.TryAdd(CellKey(e.Point), part.Name))
                    throw new CliException($"cell {CellKey(e.Point)} is measured by two parts ({seen[CellKey(e.Point)]} and {part.Name}): remove it from one, a study scores each cell once");
        return parts;
    }

    /// <summary>A cell of the study without the sweep it ran in: "fashion-mnist/small-cnn/dlif/at/a1/s42".</summary>
    public static string CellKey(GridPoint p) => $"{p.GroupKey}/s{p.Seed}";

    static StudyPart Load(SweepSpec study, string folder)
    {
        var name = Path.GetFileName(folder);
        var specPath = Path.Combine(folder, SpecFile);
        if (!File.Exists(specPath)) throw new CliException($"part {name}: {specPath} is missing: copy the spec the part ran there");
        SweepSpec spec;
        try { spec = SweepSpecFile.Load(specPath); }
        catch (SpecFileException e) { throw new CliException($"part {name}: {e.Message}"); }
        var experiments = ResultsExport.ReadJson(Path.Combine(folder, ResultsView.JsonFile)).Experiments;
        var grid = GridExpansion.Expand(study).Select(CellKey).ToHashSet(StringComparer.Ordinal);
        var arms = GridExpansion.Expand(study).Select(p => (p.Dataset, p.Architecture, p.Neuron, p.Mode, p.Seed)).ToHashSet();
        foreach (var e in experiments)
        {
            // A search proposes its own alphas: its trials must be on the study's arms and seeds, trained and scored alike.
            if (spec.ProposesTrials && !arms.Contains((e.Point.Dataset, e.Point.Architecture, e.Point.Neuron, e.Point.Mode, e.Point.Seed)))
                throw new CliException($"part {name}: search trial {e.Key} is not on the study's datasets, architectures, neurons, modes and seeds");
            if (!spec.ProposesTrials && !grid.Contains(CellKey(e.Point)))
                throw new CliException($"part {name}: cell {CellKey(e.Point)} is not in the study's grid (alphas, seeds and the other axes of {study.Name}'s spec)");
            var theirs = spec.ExperimentSpec(e.Point) with { Id = "" };
            var ours = study.ExperimentSpec(e.Point) with { Id = "" };
            if (theirs != ours)
                throw new CliException($"part {name}: {specPath} trains or scores {(spec.ProposesTrials ? $"trial {e.Key}" : $"cell {CellKey(e.Point)}")} differently from the study ({Difference(theirs, ours)}); a part may narrow only the name, alphas and seeds (or search alpha)");
        }
        return new StudyPart(name, folder, spec, experiments, ReadAttempts(Path.Combine(folder, ResultsView.AttemptsFile)), ReadRun(Path.Combine(folder, RunFile)));
    }

    static string Difference(Contracts.ExperimentSpec theirs, Contracts.ExperimentSpec ours) => string.Join("; ",
        typeof(Contracts.ExperimentSpec).GetProperties()
            .Select(p => (p.Name, A: p.GetValue(theirs), B: p.GetValue(ours)))
            .Where(x => !Equals(x.A, x.B))
            .Select(x => $"{x.Name}: part {x.A ?? "default"}, study {x.B ?? "default"}"));

    static List<StudyAttempt> ReadAttempts(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != ResultsExport.AttemptsHeader)
            throw new CliException($"{path}: expected the header '{ResultsExport.AttemptsHeader}' (a file 'stablesnn export' writes)");
        var attempts = new List<StudyAttempt>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            // Keys, nodes, slots and exit names never hold a comma or a quote, so the writer never quoted them.
            var f = lines[i].Split(',');
            if (f.Length != 8 || lines[i].Contains('"', StringComparison.Ordinal))
                throw new CliException($"{path} line {i + 1}: expected 8 unquoted fields ({ResultsExport.AttemptsHeader})");
            if (!Enum.TryParse<ExitReason>(f[7], out var exit) || !Enum.IsDefined(exit))
                throw new CliException($"{path} line {i + 1}: exit '{f[7]}' is none of {string.Join(", ", Enum.GetNames<ExitReason>())}");
            attempts.Add(new StudyAttempt(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), f[2], f[3],
                DateTimeOffset.Parse(f[4], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                DateTimeOffset.Parse(f[5], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), exit));
        }
        return attempts;
    }

    static List<(string, string)> ReadRun(string path) => !File.Exists(path)
        ? []
        : File.ReadAllLines(path).Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => (l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
}
