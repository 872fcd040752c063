using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Hosting;

namespace StableSnn.Client.Commands;

/// <summary>
/// Base of every command: opens the cluster connection, runs, closes it; user errors become one red line and
/// exit code 2, an unreachable cluster likewise; Ctrl+C cancels.
/// </summary>
public abstract class CliCommand<TSettings> : AsyncCommand<TSettings> where TSettings : ClusterSettings
{
    public const int UserError = 2;

    /// <summary>Checks that need no cluster (spec files, datasets); throw CliException to refuse.</summary>
    protected virtual Task Prepare(TSettings settings) => Task.CompletedTask;

    protected abstract Task<int> Run(ClusterConnection cluster, TSettings settings, CancellationToken cancel);

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupt.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, a closing terminal, a container stop) ends the command the same way: the embedded silo
        // stops its trainers with SIGTERM, they keep their checkpoints, and the next run resumes.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; interrupt.Cancel(); });
        try
        {
            await Prepare(settings);
            await using var cluster = await ClusterConnection.Open(settings, interrupt.Token);
            return await Run(cluster, settings, interrupt.Token);
        }
        catch (CliException e)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return UserError;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
