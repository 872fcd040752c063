using System.Diagnostics;
using StableSnn.Contracts;
using Microsoft.Extensions.Options;
using StableSnn.Grains.Model;

namespace StableSnn.Silo.Nodes;

/// <summary>
/// Launches the trainer executable as a child process per attempt: pinned to its device (CUDA_VISIBLE_DEVICES),
/// under tcmalloc, with the slot's thread count; relays its JSON progress lines; maps its exit code. The attempt's
/// output directory is the experiment's artifact directory, so a new attempt resumes from the last checkpoint.
/// </summary>
public sealed class ProcessTrainerLauncher(IOptions<NodeOptions> options, ILogger<ProcessTrainerLauncher> log) : ITrainerLauncher
{
    public string TrainerPath => options.Value.TrainerPath ?? TrainerExecutable.Default;

    public async Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop)
    {
        Directory.CreateDirectory(context.ArtifactDirectory);
        var specPath = Path.Combine(context.ArtifactDirectory, "spec.json");
        await File.WriteAllTextAsync(specPath, context.Ticket.Spec.ToJson(), stop);

        var start = new ProcessStartInfo(TrainerPath)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "train", "--spec", specPath, "--out", context.ArtifactDirectory }) start.ArgumentList.Add(a);
        if (context.Slot.Threads > 0) { start.ArgumentList.Add("--threads"); start.ArgumentList.Add(context.Slot.Threads.ToString()); }
        if (context.Slot.Kind == Vocabulary.GpuSlot)
        {
            start.Environment["CUDA_VISIBLE_DEVICES"] = context.Slot.Device.Split(':')[1];
            start.ArgumentList.Add("--device"); start.ArgumentList.Add("cuda:0");
        }
        else
        {
            start.Environment["CUDA_VISIBLE_DEVICES"] = ""; // a CPU slot must not grab a GPU
        }
        if (Environment.GetEnvironmentVariable("LD_PRELOAD") is null && Allocator.FindTcmalloc() is { } tcmalloc)
            foreach (var (name, value) in Allocator.PreloadEnvironment(tcmalloc)) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {TrainerPath}");
        var stderrTail = new Queue<string>();
        var stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
                lock (stderrTail) { stderrTail.Enqueue(line); if (stderrTail.Count > 20) stderrTail.Dequeue(); }
        });

        bool keepGoing = true;
        var lastRelay = DateTimeOffset.MinValue;
        TrainerPhase? lastPhase = null;
        string? lastError = null;
        using var kill = stop.Register(() => Terminate(process));
        bool hung = false;
        using var watchdog = new CancellationTokenSource();
        while (true)
        {
            watchdog.CancelAfter(options.Value.HangTimeout);
            string? line;
            try { line = await process.StandardOutput.ReadLineAsync(watchdog.Token); }
            catch (OperationCanceledException)
            {
                hung = true;
                log.LogWarning("trainer of {Key} printed nothing for {Timeout}; killing it", context.Lease.ExperimentKey, options.Value.HangTimeout);
                Terminate(process);
                break;
            }
            if (line is null) break;
            if (ProgressEvent.TryParse(line) is not { } update) continue; // not a progress line
            if (update.Phase == TrainerPhase.Error) lastError = update.Message ?? lastError;
            if (!keepGoing) continue;
            var now = DateTimeOffset.UtcNow;
            bool phaseChanged = update.Phase != lastPhase
                && update.Phase is TrainerPhase.Epoch or TrainerPhase.Attack or TrainerPhase.Evaluate or TrainerPhase.Resume;
            // Each set-aside checkpoint is relayed: the experiment records every one in the attempt.
            if (!phaseChanged && update.Phase != TrainerPhase.CheckpointSetAside && now - lastRelay < options.Value.ProgressInterval) continue;
            lastRelay = now;
            lastPhase = update.Phase;
            if (!await progress(update))
            {
                keepGoing = false;
                log.LogInformation("attempt {Attempt} of {Key} is no longer current; stopping its trainer", context.Lease.AttemptId, context.Lease.ExperimentKey);
                Terminate(process);
            }
        }
        await process.WaitForExitAsync(CancellationToken.None);
        await stderr;

        if (!keepGoing) return new AttemptEnd(ExitReason.Cancelled, null, "stopped: cancelled or superseded");
        if (hung) return new AttemptEnd(ExitReason.Crash, null, $"hung: no output for {options.Value.HangTimeout}");
        var reason = ExitReasons.FromExitCode(process.ExitCode);
        if (reason == ExitReason.Success)
            return new AttemptEnd(reason, ExperimentOutcome.From(ExperimentResult.Read(Path.Combine(context.ArtifactDirectory, ExperimentResult.FileName))), null);
        if (reason == ExitReason.RungReached) return RungEnd(context);
        string tail;
        lock (stderrTail) tail = string.Join("\n", stderrTail);
        return new AttemptEnd(reason, null, $"exit code {process.ExitCode}: {lastError ?? tail}");
    }

    /// <summary>A trial paused at its rung: the measurement is the rung file of the epoch its spec stopped at.</summary>
    static AttemptEnd RungEnd(AttemptContext context)
    {
        var stopAt = context.Ticket.Spec.StopAtEpoch;
        var path = stopAt is { } epoch ? RungResult.PathFor(context.ArtifactDirectory, epoch) : null;
        if (path is null || !File.Exists(path))
            return new AttemptEnd(ExitReason.Crash, null, $"exit code {ExitCodes.RungReached} without a rung file ({path ?? "the spec has no stopAtEpoch"})");
        return new AttemptEnd(ExitReason.RungReached, null, $"paused at epoch {stopAt}") { Rung = RungMeasurement.From(RungResult.Read(path)) };
    }

    const int SigTerm = 15;

    // .NET can only SIGKILL a child; SIGTERM (so the trainer can stop cleanly) goes through libc, no kill binary needed.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);

    /// <summary>SIGTERM first (the trainer keeps its last checkpoint and exits 130), then SIGKILL after a grace period.</summary>
    static void Terminate(Process process)
    {
        try
        {
            if (process.HasExited) return;
            _ = SendSignal(process.Id, SigTerm);
            if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // already gone
    }
}
