using System.ComponentModel;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;

namespace StableSnn.Client.Commands;

/// <summary>Settings of the commands that act on one sweep by name.</summary>
public class SweepSettings : ClusterSettings
{
    [CommandArgument(0, "<SWEEP>")]
    [Description("Sweep name (the spec's 'name').")]
    public string Sweep { get; init; } = "";
}
