using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace StableSnn.Client.Commands;

public sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SPEC>")]
        [Description("Sweep spec file (YAML), e.g. examples/quickstart.yaml.")]
        public string Spec { get; init; } = "";
    }

    public const int NotYetAvailable = 3;

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Honest placeholder until the sweep engine lands: nothing is submitted, and the exit code says so.
        AnsiConsole.MarkupLine($"[yellow]The sweep engine is not built yet[/] (issue 5), so [bold]{Markup.Escape(settings.Spec)}[/] was not run.");
        AnsiConsole.MarkupLine("A single experiment can be trained and attacked by hand today: see [bold]src/Trainer/README.md[/].");
        return Task.FromResult(NotYetAvailable);
    }
}
