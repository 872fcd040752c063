using System.Text.Json;
using StableSnn.Contracts;

namespace StableSnn.Faults.Tests;

/// <summary>Small real sweeps on the toy MNIST files, and the checks every fault scenario ends with.</summary>
static class Sweeps
{
    public const int Epochs = 3;

    public static string Spec(string name, string dataRoot, double[] alphas, string suite = "none", int maxAttempts = 5) => $"""
        name: {name}
        datasets: [mnist]
        architectures: [small-cnn]
        neurons: [dlif]
        modes: [raw]
        alphas: [{string.Join(", ", alphas.Select(a => a.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]
        epochs: {Epochs}
        attackSuite: {suite}
        maxAttempts: {maxAttempts}
        training:
          dataRoot: {dataRoot}
          batchSize: 32
          timeSteps: 4
          validationFraction: 0.25
          attackSubset: 48
        """;

    /// <summary>The newest complete checkpoint's epoch in an attempt directory, 0 without one (older ones are pruned).</summary>
    public static int NewestCompleteEpoch(string attemptDirectory)
    {
        var checkpoints = Path.Combine(attemptDirectory, "checkpoints");
        return Directory.Exists(checkpoints)
            ? Directory.GetDirectories(checkpoints, "epoch-*")
                .Where(d => !d.Contains(".tmp-", StringComparison.Ordinal) && File.Exists(Path.Combine(d, "state.json")))
                .Select(d => int.Parse(Path.GetFileName(d)["epoch-".Length..])).DefaultIfEmpty(0).Max()
            : 0;
    }

    /// <summary>attempts.csv rows (experiment, exit) as the CLI exported them.</summary>
    public static IReadOnlyList<(string Experiment, string Exit)> Attempts(string outDir) =>
        File.ReadAllLines(Path.Combine(outDir, "attempts.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(f => (f[0], f[^1])).ToList();

    /// <summary>
    /// What every scenario must end with: each experiment completed by exactly one successful attempt, its result
    /// readable with every epoch trained once, no half-written checkpoint that looks complete, and a best model that is
    /// the weights of the epoch its state calls best.
    /// </summary>
    public static IReadOnlyDictionary<string, ExperimentResult> AssertEachCompletedOnce(string outDir, string artifactRoot, int experiments)
    {
        var attempts = Attempts(outDir);
        var keys = attempts.Select(a => a.Experiment).Distinct().ToList();
        Assert.Equal(experiments, keys.Count);
        foreach (var key in keys)
            Assert.Equal(1, attempts.Count(a => a.Experiment == key && a.Exit == "Success"));
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))))
            Assert.Equal(experiments, json.RootElement.GetProperty("experiments").GetArrayLength());

        var results = new Dictionary<string, ExperimentResult>();
        foreach (var file in Directory.GetFiles(artifactRoot, ExperimentResult.FileName, SearchOption.AllDirectories))
        {
            var dir = Path.GetDirectoryName(file)!;
            var result = ExperimentResult.Read(file); // parses: not torn
            Assert.Equal(Enumerable.Range(1, Epochs), result.History.Select(h => h.Epoch)); // each epoch once, in order
            var checkpoints = Path.Combine(dir, "checkpoints");
            Assert.Empty(Directory.GetDirectories(checkpoints, "*.tmp-*")); // a torn write is cleaned up by the next save
            foreach (var c in Directory.GetDirectories(checkpoints))
                JsonDocument.Parse(File.ReadAllText(Path.Combine(c, "state.json"))).Dispose();
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "best"), "*.tmp-*"));
            var bestCheckpoint = Path.Combine(checkpoints, $"epoch-{result.BestEpoch:D4}", "model.bin");
            if (File.Exists(bestCheckpoint)) // kept (the newest two are): best/ must be byte-identical to it
                Assert.Equal(File.ReadAllBytes(bestCheckpoint), File.ReadAllBytes(Path.Combine(dir, "best", "model.bin")));
            results[dir] = result;
        }
        Assert.Equal(experiments, results.Count);
        return results;
    }
}
