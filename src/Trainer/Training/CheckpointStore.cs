using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;

namespace StableSnn.Trainer.Training;

/// <summary>
/// Per-epoch checkpoints under DIR/checkpoints/epoch-NNNN/{model.bin, optimizer.bin, state.json} and the best model
/// under DIR/best/. Each checkpoint is written to a temporary folder and renamed into place, state.json last, so a
/// killed process never leaves a half-written checkpoint that looks complete; resume takes the newest complete one.
/// The best model is a copy of the best epoch's checkpointed weights, made after that checkpoint is complete; a kill
/// between the two is repaired on resume, so best/ always holds the weights of the epoch the state calls best.
/// A checkpoint that does not load is set aside (DIR/set-aside/, with its reason) and the previous one is used.
/// </summary>
public sealed class CheckpointStore(string outputDirectory, int keep = 2)
{
    const string StateFile = "state.json", ModelFile = "model.bin", OptimizerFile = "optimizer.bin";
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string CheckpointsDirectory { get; } = Path.Combine(outputDirectory, "checkpoints");
    public string BestDirectory { get; } = Path.Combine(outputDirectory, "best");
    public string BestModelPath => Path.Combine(BestDirectory, ModelFile);

    public string Save(torch.nn.Module model, OptimizerHelper optimizer, CheckpointState state)
    {
        Directory.CreateDirectory(CheckpointsDirectory);
        var final = Path.Combine(CheckpointsDirectory, $"epoch-{state.CompletedEpochs:D4}");
        var temp = final + $".tmp-{Environment.ProcessId}";
        if (Directory.Exists(temp)) Directory.Delete(temp, true);
        Directory.CreateDirectory(temp);
        WriteDurably(Path.Combine(temp, ModelFile), w => model.save(w));
        WriteDurably(Path.Combine(temp, OptimizerFile), optimizer.save_state_dict);
        WriteDurably(Path.Combine(temp, StateFile), w => w.Write(JsonSerializer.SerializeToUtf8Bytes(state, Json)));
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(temp, final);
        Prune();
        return final;
    }

    /// <summary>Makes the (complete) checkpoint in <paramref name="checkpointDirectory"/> the best model.</summary>
    public void PromoteBest(string checkpointDirectory)
    {
        Directory.CreateDirectory(BestDirectory);
        var temp = BestModelPath + $".tmp-{Environment.ProcessId}";
        using (var source = File.OpenRead(Path.Combine(checkpointDirectory, ModelFile)))
            WriteDurably(temp, w => source.CopyTo(w.BaseStream));
        File.Move(temp, BestModelPath, overwrite: true);
    }

    /// <summary>Loads the newest complete checkpoint into the model and optimiser; null when there is none.</summary>
    public CheckpointState? TryResume(torch.nn.Module model, OptimizerHelper optimizer, string specHash) =>
        Resume(model, optimizer, specHash).State;

    /// <summary>
    /// Loads the newest checkpoint that loads into the model and optimiser. One that does not (a torn or corrupt
    /// state.json, a truncated or corrupt model.bin or optimizer.bin, tensors of another shape) is moved to
    /// <see cref="SetAsideDirectory"/> with a reason.txt, and the one before it is tried, so a bad checkpoint costs the
    /// epochs since the previous one instead of failing every attempt the same way.
    /// </summary>
    /// <returns>
    /// The state resumed (null: none loaded) and the checkpoints set aside, newest first. When checkpoints were set aside
    /// and none loaded, the model and optimiser may hold part of a failed load: the caller must build them afresh.
    /// </returns>
    public ResumePoint Resume(torch.nn.Module model, OptimizerHelper optimizer, string specHash)
    {
        var setAside = new List<SetAsideCheckpoint>();
        foreach (var dir in CompleteCheckpoints().Reverse())
        {
            CheckpointState? state;
            try { state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllBytes(Path.Combine(dir, StateFile)), Json); }
            catch (JsonException e) { setAside.Add(SetAside(dir, $"{StateFile} unreadable ({e.Message})")); continue; }
            if (state is null) { setAside.Add(SetAside(dir, $"{StateFile} holds null")); continue; }
            if (state.SpecHash != specHash)
                throw new CheckpointMismatchException(
                    $"checkpoint {dir} was written for a different spec (hash {state.SpecHash}, this spec {specHash}); " +
                    "use a new output directory, or delete its checkpoints to start over");
            if (Load(dir, ModelFile, p => model.load(p)) is { } modelProblem) { setAside.Add(SetAside(dir, modelProblem)); continue; }
            if (Load(dir, OptimizerFile, p => optimizer.load_state_dict(p)) is { } optimizerProblem) { setAside.Add(SetAside(dir, optimizerProblem)); continue; }
            // Killed after this checkpoint but maybe before its promotion: promote again (idempotent). After a newer
            // checkpoint was set aside, best/ may hold that newer epoch's weights: put back the best epoch's if kept.
            if (state.BestEpoch == state.CompletedEpochs) PromoteBest(dir);
            else if (setAside.Count > 0 && CheckpointOf(state.BestEpoch) is { } best) PromoteBest(best);
            return new ResumePoint(state, setAside);
        }
        return new ResumePoint(null, setAside);
    }

    /// <summary>Where checkpoints that failed to load are kept, each with its reason.txt, for a person to look at.</summary>
    public string SetAsideDirectory { get; } = Path.Combine(outputDirectory, "set-aside");

    /// <summary>The complete checkpoint of <paramref name="epoch"/>, if it is still kept.</summary>
    public string? CheckpointOf(int epoch) =>
        CompleteCheckpoints().FirstOrDefault(d => Path.GetFileName(d) == $"epoch-{epoch:D4}");

    /// <summary>
    /// Loads the best model for evaluation. When best/model.bin does not load it is set aside and made again from the
    /// best epoch's checkpoint if that is kept; otherwise every checkpoint is set aside too (their best weights are
    /// gone, so the next attempt trains from scratch) and <see cref="CheckpointUnreadableException"/> says so.
    /// </summary>
    public SetAsideCheckpoint? LoadBest(torch.nn.Module model, CheckpointState state)
    {
        if (Load(BestDirectory, ModelFile, p => model.load(p)) is not { } problem) return null;
        var setAside = SetAside(BestDirectory, problem);
        if (CheckpointOf(state.BestEpoch) is { } best)
        {
            PromoteBest(best);
            if (Load(BestDirectory, ModelFile, p => model.load(p)) is null) return setAside;
        }
        foreach (var dir in CompleteCheckpoints().ToList()) SetAside(dir, $"best model of epoch {state.BestEpoch} unreadable and not kept elsewhere");
        throw new CheckpointUnreadableException(
            $"best model {ModelFile} of epoch {state.BestEpoch} set aside to {setAside.MovedTo} ({problem}) and no checkpoint of that epoch is kept; " +
            "every checkpoint was set aside so the next attempt trains from scratch");
    }

    /// <summary>Null when <paramref name="file"/> of <paramref name="dir"/> loads, else why it does not.</summary>
    static string? Load(string dir, string file, Action<string> load)
    {
        var path = Path.Combine(dir, file);
        try
        {
            load(path);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // TorchSharp reports a truncated file as EndOfStreamException, another shape or dtype as ArgumentException,
            // and garbage as anything from IOException to OutOfMemoryException (a length read from noise).
            var message = e.Message.ReplaceLineEndings(" ");
            return $"{file} does not load ({e.GetType().Name}: {(message.Length > 300 ? message[..300] + "..." : message)})";
        }
    }

    SetAsideCheckpoint SetAside(string dir, string reason)
    {
        Directory.CreateDirectory(SetAsideDirectory);
        var name = Path.GetFileName(dir);
        var target = Path.Combine(SetAsideDirectory, name);
        for (int n = 2; Directory.Exists(target) || File.Exists(target); n++) target = Path.Combine(SetAsideDirectory, $"{name}-{n}");
        if (dir == BestDirectory)
        {
            // Only the model file: best/ itself stays the place PromoteBest writes to.
            Directory.CreateDirectory(target);
            File.Move(Path.Combine(dir, ModelFile), Path.Combine(target, ModelFile));
        }
        else Directory.Move(dir, target);
        File.WriteAllText(Path.Combine(target, "reason.txt"), $"{DateTimeOffset.UtcNow:u} {reason}\n");
        return new SetAsideCheckpoint(dir, target, reason);
    }

    /// <summary>Checkpoint folders whose state.json exists, oldest first.</summary>
    public IEnumerable<string> CompleteCheckpoints() =>
        Directory.Exists(CheckpointsDirectory)
            ? Directory.GetDirectories(CheckpointsDirectory, "epoch-*")
                .Where(d => !d.Contains(".tmp-", StringComparison.Ordinal) && File.Exists(Path.Combine(d, StateFile)))
                .Order(StringComparer.Ordinal)
            : [];

    void Prune()
    {
        foreach (var old in CompleteCheckpoints().SkipLast(keep)) Directory.Delete(old, true);
        foreach (var stale in Directory.GetDirectories(CheckpointsDirectory, "*.tmp-*")) Directory.Delete(stale, true);
    }

    static void WriteDurably(string path, Action<BinaryWriter> write)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
            writer.Flush();
        }
        stream.Flush(flushToDisk: true);
    }
}

/// <summary>A checkpoint (or best model) that did not load, where it was moved, and why.</summary>
public sealed record SetAsideCheckpoint(string Checkpoint, string MovedTo, string Reason);

/// <summary>What resuming found: the state loaded (null: train from scratch) and the checkpoints set aside on the way.</summary>
public sealed record ResumePoint(CheckpointState? State, IReadOnlyList<SetAsideCheckpoint> SetAside);

/// <summary>The best model did not load and cannot be made again here: the attempt fails, the next one starts over.</summary>
public sealed class CheckpointUnreadableException(string message) : Exception(message);

/// <summary>The output directory holds checkpoints of another spec; resuming from them would mix runs.</summary>
public sealed class CheckpointMismatchException(string message) : Exception(message);
