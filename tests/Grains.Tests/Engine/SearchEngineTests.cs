using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;
using StableSnn.Grains.Tests.Search;
using StableSnn.Silo.Network;
using StableSnn.Silo.Nodes;
using StableSnn.Silo.Storage;
using StableSnn.TestSupport;

namespace StableSnn.Grains.Tests.Engine;

/// <summary>Searches run by the real grains on a real silo with durable storage, trained by <see cref="SearchTrainer"/>.</summary>
public class SearchEngineTests
{
    static SweepSpec Search(string name, string algorithm, int trials, int epochs = 9, int maxConcurrency = 3, int brackets = 1) => new()
    {
        Name = name, Datasets = ["fashion-mnist"], Architectures = ["small-cnn"], Neurons = ["dlif"], Modes = ["at"], Seeds = [42],
        Epochs = epochs, AttackSuite = "reliable", MaxConcurrency = maxConcurrency,
        Search = new SearchSpec
        {
            Algorithm = algorithm, Seed = 7, Budget = new SearchBudget { Experiments = trials },
            Space = new SearchSpace(SearchDimension.LogUniform("alpha", 0.01, 10, zeroProbability: 0.1)),
            Asha = new AshaSettings { MinEpochs = 1, Eta = 3, Brackets = brackets },
        },
    };

    [Fact]
    public async Task AshaSearchDecidesAsThePolicyDoesAndKeepsEveryDecisionThroughASiloRestart()
    {
        using var data = new TempDirectory();
        var storage = StorageOptions.SqliteIn(data.Path);
        var trainer = new SearchTrainer(TimeSpan.FromMilliseconds(60));
        var spec = Search("asha", "asha", trials: 18);
        SearchSnapshot before;

        using (var first = StartSilo(storage, trainer, data.Path))
        {
            await first.StartAsync();
            var sweep = first.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("asha");
            await sweep.Submit(spec);
            before = await WaitForSearch(sweep, s => s.History.Length >= 8);
            await first.StopAsync();
        }
        Assert.NotEqual(18, before.Trials.Count(t => t.Phase is ExperimentPhase.Completed or ExperimentPhase.Stopped));

        using var second = StartSilo(storage, trainer, data.Path);
        await second.StartAsync();
        var again = second.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("asha");
        await again.Submit(spec); // the same spec again: a no-op
        await WaitForSearch(again, _ => true, until: async () => (await again.GetSnapshot()).IsFinished);
        var after = (await again.GetSearch())!;
        await second.StopAsync();

        // Every proposal is the seeded proposer's, rounded: the same spec proposes the same points.
        Assert.Equal(18, after.Trials.Length);
        var expected = new SearchRun(spec, new State.SearchState());
        for (int t = 0; t < 18; t++) expected.Propose([]);
        Assert.Equal(Enumerable.Range(0, 18).Select(t => expected.PointOf(t).Alpha), after.Trials.Select(t => t.Point.Alpha));

        // Every decision shown is what the policy makes of the history, in arrival order; nothing decided before the
        // restart changed after it.
        var policy = new AshaPolicy(1, 3, 9, new AshaSettings().StopSignificance);
        var (_, steps) = policy.Replay(after.History.Select(r => new RungReport(r.Trial, r.Rung, r.Score, r.EndOfBudget)));
        var replayed = steps.SelectMany(s => s.LatePromotions.Prepend(s.Decision)).GroupBy(d => d.Trial)
            .ToDictionary(g => g.Key, g => g.Select(d => d.Explain()).ToArray());
        foreach (var trial in after.Trials)
        {
            Assert.Equal(replayed.GetValueOrDefault(trial.Number, []), trial.Decisions);
            var earlier = before.Trials.FirstOrDefault(t => t.Number == trial.Number)?.Decisions ?? [];
            Assert.Equal(earlier, trial.Decisions.Take(earlier.Length));
        }
        Assert.Equal(before.History, after.History.Take(before.History.Length));

        foreach (var trial in after.Trials)
        {
            // Trained rung by rung from its checkpoint: every run starts where the previous one ended, at a rung.
            var runs = trainer.Runs.Where(r => r.Key == trial.Key).ToList();
            Assert.Equal(runs.Select(r => r.From), runs.Select(r => r.To).Prepend(0).SkipLast(1));
            Assert.All(runs, r => Assert.Contains(r.To, after.RungEpochs));
            int reached = trial.Rungs.Max(r => r.Rung);
            Assert.Equal(after.RungEpochs[reached], runs[^1].To);
            if (trial.Phase == ExperimentPhase.Completed)
            {
                Assert.Equal(2, reached); // only a trial promoted from every rung trains all 9 epochs
                Assert.Equal(SearchTrainer.Robust(trial.Point.Alpha, 9), trial.Objective!.Robust);
            }
            else
            {
                Assert.Equal(ExperimentPhase.Stopped, trial.Phase);
                Assert.Equal(reached, trial.TargetRung); // not promoted: waits at the rung it reached
                Assert.Matches("^(stopped|held|paused) at rung", trial.Decisions[^1]);
            }
        }
        // ASHA's shape: 18 at rung 0, at least floor(18/3) = 6 promoted, and fewer trained every epoch than were proposed.
        Assert.Equal(18, after.History.Count(r => r.Rung == 0 && !r.EndOfBudget));
        Assert.InRange(after.History.Count(r => r.Rung == 1 && !r.EndOfBudget), 6, 17);
        Assert.InRange(after.Trials.Count(t => t.Phase == ExperimentPhase.Completed), 2, 17);
        var best = after.Best!;
        Assert.Equal(after.Trials.Where(t => t.Phase == ExperimentPhase.Completed).Max(t => t.Objective!.Robust), best.Objective!.Robust);
        Assert.True(after.TrainerEpochs < 18 * 9, $"ASHA trained {after.TrainerEpochs} epochs, a grid of 18 would train {18 * 9}");
        Assert.True(after.BudgetSpent);
    }

    [Fact]
    public async Task AshaSearchLosesNoDecisionWhenASiloIsKilled()
    {
        using var data = new TempDirectory();
        var trainer = new SearchTrainer(TimeSpan.FromMilliseconds(80));
        await using var engine = await EngineCluster.Start(trainer, silos: 2, slotsPerSilo: 2,
            storage: silo => silo.AddStableSnnPersistence("sqlite", $"Data Source={data.File("engine.db")}"));
        var sweep = engine.Grains.GetGrain<ISweepGrain>("killed");
        await sweep.Submit(Search("killed", "asha", trials: 15));
        var before = await WaitForSearch(sweep, s => s.History.Length >= 6);

        await engine.Cluster.KillSiloAsync(engine.Cluster.Silos[1]); // the sweep, the scheduler or a node: whatever lived there
        var after = await WaitForSearch(sweep, _ => true, until: async () => (await sweep.GetSnapshot()).IsFinished);

        Assert.Equal(15, after.Trials.Length);
        Assert.Equal(15, after.History.Count(r => r.Rung == 0 && !r.EndOfBudget));
        var (_, steps) = new AshaPolicy(1, 3, 9, new AshaSettings().StopSignificance).Replay(after.History.Select(r => new RungReport(r.Trial, r.Rung, r.Score, r.EndOfBudget)));
        var replayed = steps.SelectMany(s => s.LatePromotions.Prepend(s.Decision)).GroupBy(d => d.Trial)
            .ToDictionary(g => g.Key, g => g.Select(d => d.Explain()).ToArray());
        foreach (var trial in after.Trials)
        {
            Assert.Equal(replayed.GetValueOrDefault(trial.Number, []), trial.Decisions);
            // No promotion lost: a trial ends completed, or stopped at the rung it was last sent to.
            int reached = trial.Rungs.Select(r => r.Rung).DefaultIfEmpty(-1).Max();
            Assert.True((trial.Phase == ExperimentPhase.Completed ? 2 : trial.TargetRung) == reached,
                $"trial {trial.Number}: {trial.Phase}, target rung {trial.TargetRung}, reached {reached}; decisions: {string.Join(" | ", trial.Decisions)}");
            // A killed attempt may have saved its checkpoint; the retry resumes from it and never trains an epoch twice.
            var runs = trainer.Runs.Where(r => r.Key == trial.Key).ToList();
            Assert.Equal(runs.Select(r => r.From), runs.Select(r => r.To).Prepend(0).SkipLast(1));
        }
        Assert.Equal(after.History.Length, after.History.Select(r => (r.Trial, r.Rung)).Distinct().Count());
        Assert.True(before.History.Length >= 6);
    }

    [Fact]
    public async Task AshaSearchWithABudgetTooSmallForEveryRungStillEndsWithACompletedTrial()
    {
        using var data = new TempDirectory();
        var trainer = new SearchTrainer(TimeSpan.FromMilliseconds(30));
        using var host = StartSilo(StorageOptions.SqliteIn(data.Path), trainer, data.Path);
        await host.StartAsync();
        var sweep = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("small");
        await sweep.Submit(Search("small", "asha", trials: 4)); // rung 0: floor(4/3) = 1 goes on; rung 1: 1 < eta, it would wait
        var search = await WaitForSearch(sweep, _ => true, until: async () => (await sweep.GetSnapshot()).IsFinished);
        await host.StopAsync();

        var done = Assert.Single(search.Trials, t => t.Phase == ExperimentPhase.Completed);
        Assert.Contains(done.Decisions, d => d.StartsWith("promoted from rung 1 (3 epochs) at the end of the budget", StringComparison.Ordinal));
        // The best at rung 1 went on; any other trial there (ASHA never revokes a promotion, so a late strong report at
        // rung 0 can send a second one) waits, stopped.
        var atRung1 = search.Trials.Where(t => t.Rungs.Any(r => r.Rung == 1)).ToList();
        Assert.Equal(done.Number, atRung1.OrderByDescending(t => t.Rungs.First(r => r.Rung == 1).Score).ThenBy(t => t.Number).First().Number);
        Assert.All(atRung1.Where(t => t != done), t => Assert.Equal(ExperimentPhase.Stopped, t.Phase));
        Assert.Equal(done.Number, search.BestTrial);
    }

    [Fact]
    public async Task AnOperatorPromotesAStoppedTrialOfAFinishedSearchAndItResumesFromItsCheckpoint()
    {
        using var data = new TempDirectory();
        var trainer = new SearchTrainer(TimeSpan.FromMilliseconds(30));
        using var host = StartSilo(StorageOptions.SqliteIn(data.Path), trainer, data.Path);
        await host.StartAsync();
        var sweep = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("repechage");
        await sweep.Submit(Search("repechage", "asha", trials: 4));
        var search = await WaitForSearch(sweep, _ => true, until: async () => (await sweep.GetSnapshot()).IsFinished);
        var stopped = search.Trials.First(t => t.Phase == ExperimentPhase.Stopped && t.TargetRung == 0);

        var said = await sweep.Promote(stopped.Key);
        Assert.StartsWith("promoted from rung 0 (1 epoch) by an operator (stablesnn promote)", said);
        var again = await WaitForSearch(sweep, s => s.Trials[stopped.Number].Rungs.Any(r => r.Rung == 1),
            until: async () => (await sweep.GetSnapshot()).IsFinished);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sweep.Promote(search.Trials.Single(t => t.Phase == ExperimentPhase.Completed).Key));
        await host.StopAsync();

        // It trained from its rung-0 checkpoint (epoch 1) to rung 1 (3 epochs), once, and reported there.
        Assert.Equal([(1, 3)], trainer.Runs.Where(r => r.Key == stopped.Key && r.From > 0).Select(r => (r.From, r.To)));
        var trial = again.Trials[stopped.Number];
        Assert.Contains(said, trial.Decisions);
        Assert.Equal(1, trial.TargetRung);
    }

    [Fact]
    public async Task ABracketedSearchStartsEachTrialAtItsBracketsRungAndItsLastBracketNeverStopsEarly()
    {
        using var data = new TempDirectory();
        var trainer = new SearchTrainer(TimeSpan.FromMilliseconds(30));
        using var host = StartSilo(StorageOptions.SqliteIn(data.Path), trainer, data.Path);
        await host.StartAsync();
        var sweep = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>("brackets");
        await sweep.Submit(Search("brackets", "asha", trials: 12, brackets: 3));
        var search = await WaitForSearch(sweep, _ => true, until: async () => (await sweep.GetSnapshot()).IsFinished);
        await host.StopAsync();

        Assert.Equal(12, search.Trials.Length);
        foreach (var trial in search.Trials)
        {
            int bracket = trial.Number % 3;
            var runs = trainer.Runs.Where(r => r.Key == trial.Key).ToList();
            Assert.Equal((0, search.RungEpochs[bracket]), (runs[0].From, runs[0].To)); // bracket b's first rung is the search's rung b
            Assert.Equal(runs.Select(r => r.From), runs.Select(r => r.To).Prepend(0).SkipLast(1));
            Assert.All(trial.Rungs, r => Assert.True(r.Rung >= bracket));
            if (bracket == 2) Assert.Equal(ExperimentPhase.Completed, trial.Phase); // never stopped early: trained 0 -> 9 in one run
            Assert.All(trial.Decisions, d => Assert.Contains($"bracket {bracket})", d));
        }
        // Brackets 0 and 1 each finish at least their best; bracket 2 all four of its trials.
        Assert.InRange(search.Trials.Count(t => t.Phase == ExperimentPhase.Completed), 4 + 2, 12);
        Assert.Equal(search.Trials.Where(t => t.Phase == ExperimentPhase.Completed).Max(t => t.Objective!.Robust), search.Best!.Objective!.Robust);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("tpe")]
    public async Task ModelFreeAndModelBasedSearchesTrainEveryTrialToTheEndWithinTheirConcurrency(string algorithm)
    {
        using var data = new TempDirectory();
        var trainer = new SearchTrainer(TimeSpan.FromMilliseconds(30));
        using var host = StartSilo(StorageOptions.SqliteIn(data.Path), trainer, data.Path);
        await host.StartAsync();
        var sweep = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISweepGrain>(algorithm);
        await sweep.Submit(Search(algorithm, algorithm, trials: 12, epochs: 3, maxConcurrency: 2));
        var search = await WaitForSearch(sweep, _ => true, until: async () => (await sweep.GetSnapshot()).IsFinished);
        await host.StopAsync();

        Assert.Equal(12, search.Trials.Length);
        Assert.All(search.Trials, t => Assert.Equal(ExperimentPhase.Completed, t.Phase));
        Assert.All(trainer.Runs, r => Assert.Equal((0, 3), (r.From, r.To)));
        Assert.InRange(trainer.MaxConcurrent, 1, 2);
        Assert.Empty(search.History);
        Assert.Equal(search.Trials.Max(t => t.Objective!.Robust), search.Best!.Objective!.Robust);
        Assert.Equal(12 * 3, search.TrainerEpochs);
    }

    static IHost StartSilo(StorageOptions storage, SearchTrainer trainer, string dataDir)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:Name"] = "search-node", ["Node:CpuSlots"] = "4", ["Node:ReportInterval"] = "00:00:00.100",
            ["Node:ArtifactRoot"] = Path.Combine(dataDir, "artifacts"),
            // Every stop here is graceful (attempts end Interrupted, nothing waits for a lease to lapse), so the lease only
            // has to outlast a starved heartbeat: 3 s expired under a crowded machine and retrained a promoted trial.
            ["Engine:LeaseDuration"] = "00:00:30", ["Engine:SweepFlushInterval"] = "00:00:00.200",
        });
        int port = Random.Shared.Next(20000, 29000);
        builder.UseOrleans(silo => silo.UseStableSnnStorage(storage, new NetworkOptions(SiloPort: port, GatewayPort: port + 1000)));
        builder.Services.AddSingleton<ITrainerLauncher>(trainer);
        builder.Services.AddStableSnnNode(builder.Configuration);
        return builder.Build();
    }

    static async Task<SearchSnapshot> WaitForSearch(ISweepGrain sweep, Func<SearchSnapshot, bool> condition, Func<Task<bool>>? until = null)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var s = (await sweep.GetSearch())!;
            // Read again once `until` holds: the search may have moved on between the two calls.
            if (condition(s) && (until is null || await until())) return until is null ? s : (await sweep.GetSearch())!;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"search stuck: {(await sweep.GetSnapshot()).Status}, history {s.History.Length} " +
                    $"{string.Join(",", (await sweep.GetSnapshot()).Counts)}; trials {string.Join(", ", s.Trials.Select(t => $"{t.Number}:{t.Phase}@{t.TargetRung}/{t.Rungs.Length}"))}");
            await Task.Delay(50);
        }
    }
}
