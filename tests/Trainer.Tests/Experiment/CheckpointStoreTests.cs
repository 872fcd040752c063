using StableSnn.Trainer.Tests.Data;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

using StableSnn.TestSupport;

namespace StableSnn.Trainer.Tests.Experiment;

public class CheckpointStoreTests
{
    static CheckpointState State(int epoch) => new(epoch, "hash", 42, 0.5, epoch, []);

    [Fact]
    public void ResumeSkipsATornNewestCheckpointAndIgnoresTemporaryFolders()
    {
        using var output = new TempDirectory();
        var store = new CheckpointStore(output.Path, keep: 3);
        var model = nn.Linear(3, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        store.Save(model, optimizer, State(1));
        var weightsAtEpoch1 = model.weight!.clone();
        using (no_grad()) model.weight!.add_(1);
        var newest = store.Save(model, optimizer, State(2));
        File.WriteAllText(Path.Combine(newest, "state.json"), "{\"completedEpo"); // torn write
        Directory.CreateDirectory(Path.Combine(store.CheckpointsDirectory, "epoch-0003.tmp-999"));

        var resumed = store.TryResume(model, optimizer, "hash");

        Assert.Equal(1, resumed!.CompletedEpochs);
        Assert.True(model.weight!.allclose(weightsAtEpoch1, rtol: 0, atol: 0));
    }

    [Fact]
    public void KeepsOnlyTheNewestCheckpoints()
    {
        using var output = new TempDirectory();
        var store = new CheckpointStore(output.Path, keep: 2);
        var model = nn.Linear(2, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        for (int e = 1; e <= 4; e++) store.Save(model, optimizer, State(e));
        Assert.Equal(["epoch-0003", "epoch-0004"], store.CompleteCheckpoints().Select(Path.GetFileName));
    }

    [Fact]
    public void NoCheckpointMeansAFreshStart()
    {
        using var output = new TempDirectory();
        var model = nn.Linear(2, 2);
        Assert.Null(new CheckpointStore(output.Path).TryResume(model, optim.SGD(model.parameters(), 0.1), "hash"));
    }

    static void Truncate(string file) { using var f = File.Open(file, FileMode.Open); f.SetLength(f.Length / 2); }

    [Fact]
    public void A_truncated_newest_model_is_set_aside_with_its_reason_and_the_previous_checkpoint_is_resumed()
    {
        using var output = new TempDirectory();
        var store = new CheckpointStore(output.Path, keep: 3);
        var model = nn.Linear(3, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        store.Save(model, optimizer, State(1));
        var weightsAtEpoch1 = model.weight!.clone();
        using (no_grad()) model.weight!.add_(1);
        var newest = store.Save(model, optimizer, State(2));
        Truncate(Path.Combine(newest, "model.bin"));

        var resume = store.Resume(model, optimizer, "hash");

        Assert.Equal(1, resume.State!.CompletedEpochs);
        Assert.True(model.weight!.allclose(weightsAtEpoch1, rtol: 0, atol: 0));
        var bad = Assert.Single(resume.SetAside);
        Assert.Equal(newest, bad.Checkpoint);
        Assert.Contains("model.bin does not load", bad.Reason);
        Assert.False(Directory.Exists(newest)); // moved, so the next attempt does not meet it again
        Assert.Equal(Path.Combine(output.Path, "set-aside", "epoch-0002"), bad.MovedTo);
        Assert.Contains("model.bin does not load", File.ReadAllText(Path.Combine(bad.MovedTo, "reason.txt")));
        Assert.True(File.Exists(Path.Combine(bad.MovedTo, "model.bin"))); // kept for a person to look at
        Assert.Equal(["epoch-0001"], store.CompleteCheckpoints().Select(Path.GetFileName));
    }

    [Fact]
    public void A_model_of_another_shape_and_a_corrupt_optimizer_are_set_aside_too()
    {
        using var output = new TempDirectory();
        var store = new CheckpointStore(output.Path, keep: 3);
        var model = nn.Linear(3, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1, momentum: 0.9);
        store.Save(model, optimizer, State(1));
        var corruptOptimizer = store.Save(model, optimizer, State(2));
        File.WriteAllBytes(Path.Combine(corruptOptimizer, "optimizer.bin"), Enumerable.Range(0, 64).Select(i => (byte)(i * 37)).ToArray());
        var wider = nn.Linear(5, 2); // same spec hash, tensors of another shape
        var wrongShape = store.Save(wider, optim.SGD(wider.parameters(), 0.1, momentum: 0.9), State(3));

        var resume = store.Resume(model, optimizer, "hash");

        Assert.Equal(1, resume.State!.CompletedEpochs);
        Assert.Equal([wrongShape, corruptOptimizer], resume.SetAside.Select(s => s.Checkpoint));
        Assert.Contains("model.bin does not load", resume.SetAside[0].Reason);
        Assert.Contains("optimizer.bin does not load", resume.SetAside[1].Reason);
    }

    [Fact]
    public void When_no_checkpoint_loads_every_one_is_set_aside_and_none_is_resumed()
    {
        using var output = new TempDirectory();
        var store = new CheckpointStore(output.Path);
        var model = nn.Linear(3, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        var only = store.Save(model, optimizer, State(1));
        File.WriteAllBytes(Path.Combine(only, "model.bin"), [1, 2, 3]);

        var resume = store.Resume(model, optimizer, "hash");

        Assert.Null(resume.State);
        Assert.Single(resume.SetAside);
        Assert.Empty(store.CompleteCheckpoints());
        Assert.Null(store.Resume(model, optimizer, "hash").State); // and the next attempt starts from scratch quietly
        Assert.Empty(store.Resume(model, optimizer, "hash").SetAside);
    }

    [Fact]
    public void An_unreadable_best_model_is_made_again_from_its_checkpoint_or_everything_is_set_aside()
    {
        using var output = new TempDirectory();
        var store = new CheckpointStore(output.Path, keep: 2);
        var model = nn.Linear(3, 2);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        var state = State(1) with { BestEpoch = 1 };
        store.PromoteBest(store.Save(model, optimizer, state));
        var weights = model.weight!.clone();
        Truncate(store.BestModelPath);
        using (no_grad()) model.weight!.add_(1);

        var bad = store.LoadBest(model, state);

        Assert.NotNull(bad);
        Assert.Contains("model.bin does not load", bad.Reason);
        Assert.True(model.weight!.allclose(weights, rtol: 0, atol: 0));
        Assert.Null(store.LoadBest(model, state)); // repaired

        // The best epoch's checkpoint pruned: its weights are gone, so nothing is kept to resume a wrong best from.
        for (int e = 2; e <= 3; e++) store.Save(model, optimizer, State(e) with { BestEpoch = 1 });
        Truncate(store.BestModelPath);
        var error = Assert.Throws<CheckpointUnreadableException>(() => store.LoadBest(model, State(3) with { BestEpoch = 1 }));
        Assert.Contains("next attempt trains from scratch", error.Message);
        Assert.Empty(store.CompleteCheckpoints());
    }
}
