using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;
using StableSnn.Client.Specs;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

public class SpecSettings : ClusterSettings
{
    [CommandArgument(0, "<SPEC>")]
    [Description("Sweep spec file (YAML), e.g. examples/quickstart.yaml.")]
    public string Spec { get; init; } = "";

    [CommandOption("--max-experiments <N>")]
    [Description("Refuse grids larger than this (default 100000).")]
    public int MaxExperiments { get; init; } = SweepSpecFile.DefaultMaxExperiments;
}

/// <summary>Loads and checks a spec before any cluster is touched: nothing is submitted unless it all checks out.</summary>
public abstract class SpecCommand<TSettings> : CliCommand<TSettings> where TSettings : SpecSettings
{
    protected SweepSpec? Spec { get; private set; }

    protected override Task Prepare(TSettings settings)
    {
        try
        {
            Spec = SweepSpecFile.Load(settings.Spec, settings.MaxExperiments);
        }
        catch (SpecFileException e)
        {
            throw new CliException(e.Message);
        }
        var missing = DatasetCheck.Check(Spec);
        if (missing.Count > 0) throw new CliException(string.Join("\n", missing));
        return Task.CompletedTask;
    }

    protected static async Task<SweepSnapshot> Submit(ClusterConnection cluster, SweepSpec spec)
    {
        try
        {
            return await cluster.Grains.GetGrain<ISweepGrain>(spec.Name).Submit(spec);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"name: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }
}
