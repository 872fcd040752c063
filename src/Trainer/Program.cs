using System.CommandLine;
using System.Runtime.InteropServices;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Native;
using StableSnn.Trainer.Training;

// The per-attempt trainer process a node launches: `train --spec FILE --out DIR`. Progress goes to stdout as JSON
// lines, diagnostics to stderr, the outcome to the exit code (see ExitCodes) and DIR/result.json.
if (AllocatorGuard.EnsureTcmalloc(args) is int reexecCode) return reexecCode;

var specOption = new Option<FileInfo>("--spec") { Description = "Experiment spec JSON file.", Required = true };
var outOption = new Option<DirectoryInfo>("--out") { Description = "Output directory: checkpoints, best model, result.json. Re-running with the same directory resumes.", Required = true };
var threadsOption = new Option<int>("--threads") { Description = "Intra-op CPU threads (0 keeps TorchSharp's default).", DefaultValueFactory = _ => 0 };
var deviceOption = new Option<string>("--device") { Description = "auto (CUDA when available, else CPU), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };

var train = new Command("train", "Train one experiment, then evaluate it; resumes from the newest checkpoint in --out.")
{
    specOption, outOption, threadsOption, deviceOption,
};
train.SetAction((parse, cancel) => Task.FromResult(TrainerCommands.Train(
    parse.GetValue(specOption)!.FullName, parse.GetValue(outOption)!.FullName,
    parse.GetValue(threadsOption), parse.GetValue(deviceOption)!, cancel)));

var root = new RootCommand("StableSnn trainer: robust stable spiking neural networks on TorchSharp.") { train };
return await root.Parse(args).InvokeAsync();

static class TrainerCommands
{
    public static int Train(string specPath, string outputDirectory, int threads, string device, CancellationToken cancel)
    {
        using var stop = new CancellationTokenSource();
        using var link = CancellationTokenSource.CreateLinkedTokenSource(cancel, stop.Token);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        var progress = new JsonLinesProgress(Console.Out);
        try
        {
            var spec = ExperimentSpec.Load(specPath);
            TorchRuntime.SetThreads(threads);
            var runner = new ExperimentRunner(spec, outputDirectory, progress, TorchRuntime.SelectDevice(device));
            runner.Run(link.Token);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is SpecException or DatasetException or CheckpointMismatchException or ArgumentException)
        {
            return Fail(progress, ExitCodes.BadInput, e.Message);
        }
        catch (DivergedException e)
        {
            return Fail(progress, ExitCodes.Diverged, e.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail(progress, ExitCodes.Interrupted, "interrupted; the newest complete checkpoint is kept for resume");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return Fail(progress, ExitCodes.Crash, $"{e.GetType().Name}: {e.Message}");
        }
    }

    static int Fail(IProgressSink progress, int code, string message)
    {
        progress.Report(new ProgressEvent { Phase = "error", Message = message });
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
