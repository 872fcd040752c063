using StableSnn.Contracts;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Tests.Data;
using StableSnn.TestSupport;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Tests.Experiment;

/// <summary>A search trial paused at rungs and promoted later must end exactly where an uninterrupted run ends.</summary>
public class SearchRungTests
{
    // The adaptive APGD the probe starts with costs several passes a step: a small budget keeps these tests quick, and
    // nothing they check depends on the budget (the defaults are Contracts' RungProbe constants).
    static readonly RungProbe Small = new() { Steps = 4, SquareQueries = 25 };

    [Fact]
    public void TrialPausedAtRungsAndPromotedEndsWhereAnUninterruptedRunEnds()
    {
        using var toy = new ToyMnist();
        using var straightDir = new TempDirectory();
        using var pausedDir = new TempDirectory();
        var spec = toy.Spec("at", epochs: 3) with { Probe = Small };
        var straight = new ExperimentRunner(spec, straightDir.Path, new ExperimentRunnerTests.Collect(), CPU).Run()!;

        var atRung1 = new ExperimentRunnerTests.Collect();
        Assert.Null(new ExperimentRunner(spec with { StopAtEpoch = 1 }, pausedDir.Path, atRung1, CPU).Run());
        Assert.False(File.Exists(Path.Combine(pausedDir.Path, ExperimentResult.FileName)), "a rung is not a result");
        var rung1 = RungResult.Read(RungResult.PathFor(pausedDir.Path, 1));
        Assert.Equal(1, rung1.Epoch);
        Assert.Equal(straight.History[0].SelectionAccuracy, rung1.ValidationAccuracy);
        Assert.InRange(rung1.ProbeRobustAccuracy, 0, rung1.ProbeCleanAccuracy);
        Assert.Equal("APGD-CE-adaptive-4+Square-25", rung1.ProbeAttack); // the objective's cascade at a small budget
        Assert.Contains(atRung1.Events, e => e.Phase == TrainerPhase.Rung && e.Epoch == 1);
        Assert.DoesNotContain(atRung1.Events, e => e.Phase is TrainerPhase.Evaluate or TrainerPhase.Attack);

        // Promoted to the next rung: epoch 1 is not trained again.
        var atRung2 = new ExperimentRunnerTests.Collect();
        Assert.Null(new ExperimentRunner(spec with { StopAtEpoch = 2 }, pausedDir.Path, atRung2, CPU).Run());
        Assert.Contains(atRung2.Events, e => e.Phase == TrainerPhase.Resume && e.Epoch == 1);
        Assert.Equal([2], atRung2.Events.Where(e => e.Phase == TrainerPhase.Epoch).Select(e => e.Epoch!.Value));

        var final = new ExperimentRunner(spec, pausedDir.Path, new ExperimentRunnerTests.Collect(), CPU).Run()!;
        Assert.Equal(2, final.ResumedFromEpoch);
        Assert.Equal(straight.History.Select(h => h.TrainLoss), final.History.Select(h => h.TrainLoss));
        Assert.Equal(straight.CleanTestAccuracy, final.CleanTestAccuracy);
        Assert.Equal(straight.BestEpoch, final.BestEpoch);
    }

    [Fact]
    public void ProbeIsDeterministicAndAStrongerAttackFindsAtLeastAsMuch()
    {
        using var toy = new ToyMnist();
        using var dir = new TempDirectory();
        var spec = toy.Spec("raw", epochs: 2) with { StopAtEpoch = 1, Probe = Small };
        new ExperimentRunner(spec, dir.Path, new ExperimentRunnerTests.Collect(), CPU).Run();
        var first = RungResult.Read(RungResult.PathFor(dir.Path, 1));
        File.Delete(RungResult.PathFor(dir.Path, 1));
        new ExperimentRunner(spec, dir.Path, new ExperimentRunnerTests.Collect(), CPU).Run(); // resumes at epoch 1 and probes again
        var again = RungResult.Read(RungResult.PathFor(dir.Path, 1));
        Assert.Equal(first.ProbeRobustAccuracy, again.ProbeRobustAccuracy);
        Assert.Equal(first.ProbeCleanAccuracy, again.ProbeCleanAccuracy);

        // Square only ever breaks more of what the gradient attack left: the probe without it can only read higher.
        File.Delete(RungResult.PathFor(dir.Path, 1));
        new ExperimentRunner(spec with { Probe = Small with { SquareQueries = 0 } }, dir.Path, new ExperimentRunnerTests.Collect(), CPU).Run();
        var pgdOnly = RungResult.Read(RungResult.PathFor(dir.Path, 1));
        Assert.Equal("APGD-CE-adaptive-4", pgdOnly.ProbeAttack);
        Assert.InRange(first.ProbeRobustAccuracy, 0, pgdOnly.ProbeRobustAccuracy);

        // The per-image mask counts what the accuracy says, is the same on a rerun, and (same images) every image
        // robust to APGD then Square is robust to APGD alone: what a paired test between two trials rests on.
        bool[] Mask(RungResult r) => ExampleMask.Unpack(r.Mask!, r.ProbeExamples);
        Assert.Equal(first.ProbeRobustAccuracy, Mask(first).Count(c => c) / (double)first.ProbeExamples, 12);
        Assert.Equal(Mask(first), Mask(again));
        Assert.Equal(0, ExampleMask.Discordant(Mask(first), Mask(pgdOnly)).OnlyFirst);

        File.Delete(RungResult.PathFor(dir.Path, 1));
        new ExperimentRunner(spec with { Probe = Small with { Epsilon = 64 / 255.0 } }, dir.Path, new ExperimentRunnerTests.Collect(), CPU).Run();
        var wide = RungResult.Read(RungResult.PathFor(dir.Path, 1));
        Assert.Equal(first.ProbeCleanAccuracy, wide.ProbeCleanAccuracy);
        Assert.True(wide.ProbeRobustAccuracy < first.ProbeRobustAccuracy,
            $"eps 64/255 should break more than eps 8/255 ({wide.ProbeRobustAccuracy} vs {first.ProbeRobustAccuracy})");
    }

    [Fact]
    public void ATimeCappedProbeScoresAPrefixOfTheSameImagesAndAtLeastOneBatch()
    {
        using var toy = new ToyMnist(train: 400);
        using var dir = new TempDirectory();
        var spec = toy.Spec("raw", epochs: 2) with { StopAtEpoch = 1, ValidationFraction = 0.5, Probe = Small }; // 200 validation images
        new ExperimentRunner(spec, dir.Path, new ExperimentRunnerTests.Collect(), CPU).Run();
        var all = RungResult.Read(RungResult.PathFor(dir.Path, 1));
        Assert.True(all.ProbeExamples > RungProbe.MinExamples, $"the toy validation split must hold more than one batch ({all.ProbeExamples})");
        Assert.Null(all.BudgetSeconds);

        // A budget no batch fits in (a millionth of the epoch): one batch, the first of the same seeded order.
        File.Delete(RungResult.PathFor(dir.Path, 1));
        new ExperimentRunner(spec with { Probe = Small with { EpochFraction = 1e-6 } }, dir.Path, new ExperimentRunnerTests.Collect(), CPU).Run();
        var capped = RungResult.Read(RungResult.PathFor(dir.Path, 1));
        Assert.Equal(RungProbe.MinExamples, capped.ProbeExamples);
        Assert.NotNull(capped.BudgetSeconds);
        Assert.Equal(ExampleMask.Unpack(all.Mask!, all.ProbeExamples)[..RungProbe.MinExamples], ExampleMask.Unpack(capped.Mask!, capped.ProbeExamples));
        Assert.Contains("probe.epochFraction: 2", string.Join("\n", (spec with { Probe = new RungProbe { EpochFraction = 2 } }).Validate()));
    }

    [Fact]
    public void StopAtEpochAndProbeLeaveTheTrainingHashAndOldSpecFilesAlone()
    {
        var spec = new ExperimentSpec { Epochs = 9 };
        Assert.Equal(spec.TrainingHash(), (spec with { StopAtEpoch = 3, Probe = new RungProbe { Steps = 5 } }).TrainingHash());
        Assert.DoesNotContain("stopAtEpoch", spec.ToJson());
        Assert.DoesNotContain("probe", spec.ToJson());
        Assert.Contains("stopAtEpoch: 9 must be in [1, epochs)", string.Join("\n", (spec with { StopAtEpoch = 9 }).Validate()));
        Assert.Contains("probe.steps: 0", string.Join("\n", (spec with { Probe = new RungProbe { Steps = 0 } }).Validate()));
    }
}
