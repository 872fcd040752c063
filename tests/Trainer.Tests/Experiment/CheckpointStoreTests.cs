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
}
