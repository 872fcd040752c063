using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Client.Specs;
using StableSnn.Grains.Policy;
using StableSnn.Grains.Search;

namespace StableSnn.Client.Commands;

public sealed class PlanSettings : CommandSettings
{
    [CommandArgument(0, "<SPEC>")]
    [Description("Sweep spec file (YAML), e.g. examples/search-asha.yaml.")]
    public string Spec { get; init; } = "";

    [CommandOption("--epoch-seconds <S>")]
    [Description("Measured seconds of one training epoch (e.g. a first rung's); prices the plan and plans a slot-hours budget.")]
    public double? EpochSeconds { get; init; }

    [CommandOption("--probe-seconds <S>")]
    [Description("Measured seconds of one rung probe.")]
    public double? ProbeSeconds { get; init; }

    [CommandOption("--final-seconds <S>")]
    [Description("Measured seconds of one final evaluation (the attack suite).")]
    public double? FinalSeconds { get; init; }

    public override ValidationResult Validate()
    {
        foreach (var (name, value) in new[] { ("--epoch-seconds", EpochSeconds), ("--probe-seconds", ProbeSeconds), ("--final-seconds", FinalSeconds) })
            if (value is { } v && !(double.IsFinite(v) && v >= 0))
                return ValidationResult.Error($"{name}: {v} must be a number of seconds >= 0");
        return ValidationResult.Success();
    }
}

/// <summary>
/// `stablesnn plan SPEC`: what a sweep would run, without a cluster: a grid's experiments and trainer-epochs, or a
/// search's plan (trials per rung, finishing trials, cost). Exit 2 when the spec is invalid or the plan is refused.
/// </summary>
public sealed class PlanCommand : Command<PlanSettings>
{
    public override int Execute(CommandContext context, PlanSettings settings, CancellationToken cancellationToken)
    {
        Grains.Model.SweepSpec spec;
        try
        {
            spec = SweepSpecFile.Load(settings.Spec, refuseUnworkablePlan: false);
        }
        catch (SpecFileException e)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return CliCommand<ClusterSettings>.UserError;
        }
        if (spec.Search is not { Algorithm: not "grid" } search)
        {
            var count = GridExpansion.Count(spec);
            AnsiConsole.WriteLine($"grid: {count} experiment{(count == 1 ? "" : "s")}, {count * spec.Epochs} trainer-epochs, {count} final evaluations");
            return 0;
        }
        var plan = SearchPlanner.Plan(search, spec.Epochs, new StepCosts(settings.EpochSeconds, settings.ProbeSeconds, settings.FinalSeconds));
        foreach (var line in plan.Describe())
            AnsiConsole.WriteLine(line);
        if (!plan.Refused || plan.Rungs.Count == 0) return 0;
        AnsiConsole.MarkupLine("[red]refused:[/] the search would not run with this plan (see above)");
        return CliCommand<ClusterSettings>.UserError;
    }
}
