using System.ComponentModel;
using System.Text;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Client.Results;
using StableSnn.Client.Specs;
using StableSnn.Client.Studies;

namespace StableSnn.Client.Commands;

public sealed class StudySettings : CommandSettings
{
    [CommandArgument(0, "<SPEC>")]
    [Description("The study's spec (YAML): the whole grid, e.g. examples/studies/fmnist-alpha.yaml.")]
    public string Spec { get; init; } = "";

    [CommandOption("--parts <DIR>")]
    [Description("Folder of exported parts, one sub-folder each with results.json, attempts.csv, spec.yaml and run.txt (default docs/studies/<name>/parts).")]
    public string? Parts { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for README.md, the PNGs and a copy of the spec (default docs/studies/<name>).")]
    public string? Out { get; init; }
}

/// <summary>
/// `stablesnn study SPEC`: writes a study's page from its exported parts, without a cluster: a study is run as one or
/// more sweeps (parts that each fit a sitting), each exported, and the page combines them.
/// </summary>
public sealed class StudyCommand : Command<StudySettings>
{
    public override int Execute(CommandContext context, StudySettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var spec = SweepSpecFile.Load(settings.Spec);
            var parts = settings.Parts ?? Path.Combine("docs", "studies", spec.Name, "parts");
            var output = settings.Out ?? Path.Combine("docs", "studies", spec.Name);
            var result = StudyAnalysis.Analyse(spec, StudyPart.LoadAll(spec, parts));
            Directory.CreateDirectory(output);
            var command = $"stablesnn study {settings.Spec} --parts {parts} --out {output}";
            var files = new List<string>();
            void Write(string name, byte[] bytes) { var path = Path.Combine(output, name); AtomicFile.Write(path, bytes); files.Add(path); }
            Write(StudyPlots.AccuracyFile, RobustnessPlots.Render(StudyPlots.Accuracy(result)));
            if (StudyPlots.Difference(result) is { Panels.Count: > 0 } difference) Write(StudyPlots.DifferenceFile, RobustnessPlots.Render(difference));
            Write("spec.yaml", File.ReadAllBytes(settings.Spec));
            Write(StudyPage.File, Encoding.UTF8.GetBytes(StudyPage.Build(result, settings.Spec, command, DateTimeOffset.UtcNow)));
            foreach (var f in files) AnsiConsole.MarkupLine(Markup.Escape($"wrote {f}"));
            AnsiConsole.WriteLine(StudyPage.Answer(result));
            return 0;
        }
        catch (Exception e) when (e is CliException or SpecFileException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return CliCommand<ClusterSettings>.UserError;
        }
    }
}
