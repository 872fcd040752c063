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
    public CheckpointState? TryResume(torch.nn.Module model, OptimizerHelper optimizer, string specHash)
    {
        foreach (var dir in CompleteCheckpoints().Reverse())
        {
            CheckpointState? state;
            try { state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllBytes(Path.Combine(dir, StateFile)), Json); }
            catch (JsonException) { continue; } // torn or corrupt: fall back to the previous one
            if (state is null) continue;
            if (state.SpecHash != specHash)
                throw new CheckpointMismatchException(
                    $"checkpoint {dir} was written for a different spec (hash {state.SpecHash}, this spec {specHash}); " +
                    "use a new output directory, or delete its checkpoints to start over");
            model.load(Path.Combine(dir, ModelFile));
            optimizer.load_state_dict(Path.Combine(dir, OptimizerFile));
            // Killed after this checkpoint but maybe before its promotion: promote again (idempotent).
            if (state.BestEpoch == state.CompletedEpochs) PromoteBest(dir);
            return state;
        }
        return null;
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

/// <summary>The output directory holds checkpoints of another spec; resuming from them would mix runs.</summary>
public sealed class CheckpointMismatchException(string message) : Exception(message);
