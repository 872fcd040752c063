using StableSnn.Contracts;
using System.CommandLine;
using System.Runtime.InteropServices;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Attacks;
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

var checkpointOption = new Option<FileInfo>("--checkpoint") { Description = "Model weights to attack (e.g. OUT/best/model.bin).", Required = true };
var suiteOption = new Option<string?>("--suite") { Description = $"Attack suite: {string.Join(", ", AttackSuiteNames.All)}, or a JSON file of attack configs (default: the spec's)." };
var subsetOption = new Option<int?>("--subset") { Description = "Size of the seeded test subset (default: the spec's attackSubset)." };
var resultOption = new Option<FileInfo>("--result") { Description = "Where to write the suite result JSON.", Required = true };
var attack = new Command("attack", "Run an attack suite on a checkpoint by itself; the spec says which network and dataset.")
{
    specOption, checkpointOption, suiteOption, subsetOption, resultOption, threadsOption, deviceOption,
};
attack.SetAction((parse, cancel) => Task.FromResult(TrainerCommands.Attack(
    parse.GetValue(specOption)!.FullName, parse.GetValue(checkpointOption)!.FullName, parse.GetValue(suiteOption),
    parse.GetValue(subsetOption), parse.GetValue(resultOption)!.FullName, parse.GetValue(threadsOption), parse.GetValue(deviceOption)!,
    cancel)));

var root = new RootCommand("StableSnn trainer: robust stable spiking neural networks on TorchSharp.") { train, attack };
return await root.Parse(args).InvokeAsync();

static class TrainerCommands
{
    public static int Train(string specPath, string outputDirectory, int threads, string device, CancellationToken cancel) =>
        Interruptible(cancel, stop => Guarded(progress =>
        {
            var spec = ExperimentSpec.Load(specPath);
            TorchRuntime.SetThreads(threads);
            var result = new ExperimentRunner(spec, outputDirectory, progress, TorchRuntime.SelectDevice(device)).Run(stop);
            return result is null ? ExitCodes.RungReached : ExitCodes.Success;
        }));

    public static int Attack(string specPath, string checkpoint, string? suite, int? subset, string resultPath, int threads, string device,
        CancellationToken cancel) =>
        Interruptible(cancel, stop => Guarded(progress =>
        {
            var spec = ExperimentSpec.Load(specPath);
            spec = spec with { AttackSuite = suite ?? spec.AttackSuite, AttackSubset = subset ?? spec.AttackSubset };
            var errors = spec.Validate();
            if (errors.Count > 0) throw new SpecException(string.Join("; ", errors));
            TorchRuntime.SetThreads(threads);
            var dev = TorchRuntime.SelectDevice(device);
            using var model = AttackPhase.LoadModel(spec, checkpoint, dev);
            var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
            using var _train = train;
            using var _test = test;
            var result = AttackPhase.Run(model, spec, test, dev, progress, stop);
            Directory.CreateDirectory(Path.GetDirectoryName(resultPath)!);
            File.WriteAllText(resultPath, System.Text.Json.JsonSerializer.Serialize(result, ExperimentSpec.Json));
            progress.Report(new ProgressEvent { Phase = TrainerPhase.Done, Accuracy = result.CleanAccuracy, Message = resultPath });
            return ExitCodes.Success;
        }));

    /// <summary>
    /// SIGTERM (what a node sends to stop an attempt) cancels like Ctrl+C: the work stops at its next batch. So does the
    /// death of the process that launched us: a node killed outright (SIGKILL, OOM) cannot stop its trainers, and an
    /// orphan would keep writing into the directory the node's next attempt resumes from.
    /// </summary>
    static int Interruptible(CancellationToken cancel, Func<CancellationToken, int> body)
    {
        using var stop = new CancellationTokenSource();
        using var link = CancellationTokenSource.CreateLinkedTokenSource(cancel, stop.Token);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        int parent = ParentProcess.Id();
        using var orphaned = new Timer(_ =>
        {
            if (ParentProcess.Id() == parent) return;
            Console.Error.WriteLine($"launching process {parent} is gone; stopping");
            stop.Cancel();
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return body(link.Token);
    }

    /// <summary>No space, quota or a read-only file system: the node's disk, not this experiment (retried later).</summary>
    static bool IsDiskProblem(IOException e) =>
        e.HResult is 28 or 30 or 122 // ENOSPC, EROFS, EDQUOT: .NET keeps errno as the HResult on Unix
        || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs a command, mapping each kind of failure to its exit code and a final error event.</summary>
    static int Guarded(Func<IProgressSink, int> body)
    {
        var progress = new JsonLinesProgress(Console.Out);
        try
        {
            return body(progress);
        }
        catch (Exception e) when (e is SpecException or DatasetException or CheckpointMismatchException or ArgumentException)
        {
            return Fail(progress, ExitCodes.BadInput, e.Message);
        }
        catch (EnvironmentException e)
        {
            return Fail(progress, ExitCodes.Environment, e.Message);
        }
        catch (Exception e) when (e is IOException io && IsDiskProblem(io) || e is UnauthorizedAccessException)
        {
            return Fail(progress, ExitCodes.Environment,
                $"cannot write the output directory ({e.Message}); free space or fix its permissions; the newest complete checkpoint is kept for resume");
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
        progress.Report(new ProgressEvent { Phase = TrainerPhase.Error, Message = message });
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}

static class ParentProcess
{
    [DllImport("libc", EntryPoint = "getppid")]
    static extern int GetParentId();

    public static int Id() => OperatingSystem.IsWindows() ? 0 : GetParentId();
}
