using StableSnn.Contracts;
using System.Text.Json;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Tests.Data;

using StableSnn.TestSupport;

namespace StableSnn.Trainer.Tests.Experiment;

public class TrainerProcessTests
{
    [Fact]
    public void KilledRunResumesFromItsCheckpointAndEndsWhereAnUninterruptedRunEnds()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var spec = toy.Spec("gaussian", epochs: 3);
        var specPath = TrainerProcess.WriteSpec(work.Path, spec);

        var straight = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("straight"));
        Assert.Equal(ExitCodes.Success, straight.ExitCode);

        // Kill the second run as soon as its first checkpoint is on disk.
        using (var doomed = TrainerProcess.Start("train", "--spec", specPath, "--out", work.File("killed")))
        {
            var first = TrainerProcess.ReadEvents(doomed.StandardOutput).First(e => e.Phase == TrainerPhase.Epoch);
            doomed.Kill(entireProcessTree: true);
            doomed.WaitForExit();
            Assert.Equal(1, first.Epoch);
        }
        var resumed = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("killed"));
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Contains(resumed.Events, e => e.Phase == TrainerPhase.Resume);
        Assert.DoesNotContain(resumed.Events, e => e.Phase == TrainerPhase.Epoch && e.Epoch == 1);

        var a = Read(work.File("straight"));
        var b = Read(work.File("killed"));
        Assert.True(b.ResumedFromEpoch >= 1);
        Assert.Equal([1, 2, 3], b.History.Select(h => h.Epoch));
        Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));
        Assert.Equal(a.CleanTestAccuracy, b.CleanTestAccuracy);
        // The process's own high-water mark: at least libtorch's mapped code, far below anything a toy run could need.
        Assert.InRange(a.PeakResidentMb, 50, 4000);
    }

    [Fact]
    public void StoppingAtARungExitsWithRungReachedAndWritesTheRungFile()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, toy.Spec("raw", epochs: 2) with { StopAtEpoch = 1, Probe = new RungProbe { Steps = 4, SquareQueries = 25 } }); // a small probe: the exit code is the point
        var run = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("out"));
        Assert.Equal(ExitCodes.RungReached, run.ExitCode);
        Assert.True(File.Exists(RungResult.PathFor(work.File("out"), 1)));
        Assert.Equal(TrainerPhase.Rung, run.Events.Last().Phase);
    }

    [Fact]
    public void InvalidSpecExitsWithBadInputNamingTheField()
    {
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, new ExperimentSpec { Alpha = -1, Architecture = "resnet9000" });
        var run = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("out"));
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("alpha: -1 must be", run.Stderr);
        Assert.Contains("architecture: 'resnet9000' is unknown", run.Stderr);
        Assert.Equal(TrainerPhase.Error, run.Events.Last().Phase);
        Assert.False(Directory.Exists(work.File("out")), "nothing should be written for a rejected spec");
    }

    [Fact]
    public void CudaRequestedButAbsentExitsWithEnvironment()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, toy.Spec());
        var run = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("out"), "--device", "cuda:0");
        Assert.Equal(ExitCodes.Environment, run.ExitCode); // retried on another node, not dropped as bad input
        Assert.Contains("CUDA is not available", run.Stderr);
    }

    [Fact]
    public void MissingDatasetExitsWithBadInputAndSaysWhereToGetIt()
    {
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, new ExperimentSpec { Dataset = "cifar10", DataRoot = work.File("nowhere") });
        var run = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("out"));
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("CIFAR-10", run.Stderr);
    }

    [Fact]
    public void AttackCommandRunsASuiteOnACheckpointByItself()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, toy.Spec(epochs: 1) with { AttackSubset = 64 });
        Assert.Equal(ExitCodes.Success, TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("out")).ExitCode);

        var run = TrainerProcess.Run("attack", "--spec", specPath, "--checkpoint", work.File("out/best/model.bin"),
            "--suite", "quick", "--result", work.File("attacks.json"));

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var suite = JsonDocument.Parse(File.ReadAllText(work.File("attacks.json"))).RootElement;
        Assert.Equal(64, suite.GetProperty("examples").GetInt32());
        var names = suite.GetProperty("attacks").EnumerateArray().Select(a => a.GetProperty("attack").GetProperty("name").GetString());
        Assert.Equal(["FGSM-8", "PGD-7", "PGD-20", "APGD-CE", "APGD-DLR", "sanity-pgd-eps1"], names);
        Assert.Contains(run.Events, e => e.Phase == TrainerPhase.Attack && e.Attack == "PGD-20");
    }

    [Fact]
    public void SigtermStopsTheRunWithInterruptedAndKeepsItsCheckpoint()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, toy.Spec(epochs: 50));
        using var run = TrainerProcess.Start("train", "--spec", specPath, "--out", work.File("out"));
        var events = TrainerProcess.ReadEvents(run.StandardOutput).GetEnumerator();
        while (events.MoveNext() && events.Current.Phase != TrainerPhase.Epoch) { }
        using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", run.Id.ToString()])) term.WaitForExit();
        var rest = new List<ProgressEvent>();
        while (events.MoveNext()) rest.Add(events.Current);
        Assert.True(run.WaitForExit(60_000), "the trainer did not stop after SIGTERM");
        Assert.Equal(ExitCodes.Interrupted, run.ExitCode); // what a draining node's attempt ends with: retried, resumes
        Assert.Equal(TrainerPhase.Error, rest.Last().Phase);
        Assert.True(Directory.Exists(work.File("out/checkpoints/epoch-0001")), "the finished epoch's checkpoint is kept");
        Assert.False(File.Exists(work.File("out/result.json")));
    }

    [Fact]
    public void DivergingLossExitsWithDivergedAndIsNotRetried()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var specPath = TrainerProcess.WriteSpec(work.Path, toy.Spec(epochs: 2) with { LearningRate = 1e30 });
        var run = TrainerProcess.Run("train", "--spec", specPath, "--out", work.File("out"));
        Assert.Equal(ExitCodes.Diverged, run.ExitCode);
        Assert.Contains("diverged", run.Stderr);
    }

    static ExperimentResult Read(string dir) =>
        JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(Path.Combine(dir, "result.json")), ExperimentSpec.Json)!;
}
