using Spectre.Console;
using StableSnn.Client.Hosting;

namespace StableSnn.Client.Commands;

/// <summary>Submits a sweep and returns.</summary>
public sealed class SubmitCommand : SpecCommand<SpecSettings>
{
    protected override async Task<int> Run(ClusterConnection cluster, SpecSettings settings, CancellationToken cancel)
    {
        var snapshot = await Submit(cluster, Spec!);
        AnsiConsole.MarkupLine(Markup.Escape($"sweep '{snapshot.Name}': {snapshot.Total} experiments on the {cluster.Description}"));
        return 0;
    }
}
