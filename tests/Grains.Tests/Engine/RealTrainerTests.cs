using StableSnn.Contracts;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo.Nodes;
using StableSnn.TestSupport;

namespace StableSnn.Grains.Tests.Engine;

public class RealTrainerTests
{
    [Fact]
    public async Task TinySweepRunsTheRealTrainerProcessEndToEnd()
    {
        using var toy = new ToyMnist();
        using var artifacts = new TempDirectory();
        await using var engine = await EngineCluster.Start(new PlaceholderLauncher(), slotsPerSilo: 2, settings: new Dictionary<string, string?>
        {
            ["Node:Trainer"] = "process", ["Node:ArtifactRoot"] = artifacts.Path, ["Node:ProgressInterval"] = "00:00:00.500",
            ["Engine:LeaseDuration"] = "00:01:00",
        }, useProcessTrainer: true);
        var spec = new SweepSpec
        {
            Name = "real", Datasets = ["mnist"], Architectures = ["small-cnn"], Neurons = ["lif", "dlif"], Modes = ["raw"],
            Alphas = [0], Seeds = [42], Epochs = 1, AttackSuite = "quick",
            Training = new TrainingSettings { DataRoot = toy.Root, BatchSize = 32, TimeSteps = 4, AttackSubset = 32, ValidationFraction = 0.25 },
        };
        var sweep = engine.Grains.GetGrain<ISweepGrain>("real");
        await sweep.Submit(spec);
        var done = await engine.WaitUntil("real", s => s.IsFinished, TimeSpan.FromMinutes(5));

        Assert.Equal(2, done.Count(ExperimentPhase.Completed));
        foreach (var row in await sweep.GetResults())
        {
            Assert.True(row.Outcome.CleanAccuracy > 0.9, $"{row.Key}: clean {row.Outcome.CleanAccuracy}");
            Assert.Equal(["FGSM-8", "PGD-7", "PGD-20", "APGD-CE", "APGD-DLR", "sanity-pgd-eps1"], row.Outcome.Attacks.Select(a => a.Attack));
            Assert.True(File.Exists(Path.Combine(artifacts.Path, row.Key, "result.json")));
            var history = await engine.Grains.GetGrain<IExperimentGrain>(row.Key).GetSnapshot();
            Assert.NotNull(history.Attempts.Single().LastCheckpoint); // progress was relayed from the process
        }
    }

    /// <summary>Unused: the process launcher is registered by the configuration.</summary>
    sealed class PlaceholderLauncher : ITrainerLauncher
    {
        public Task<AttemptEnd> RunAsync(AttemptContext context, Func<ProgressEvent, Task<bool>> progress, CancellationToken stop) =>
            throw new InvalidOperationException("the real trainer should run");
    }
}
