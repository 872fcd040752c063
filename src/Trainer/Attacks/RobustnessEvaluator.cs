using StableSnn.Contracts;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Runs an attack suite over a fixed evaluation subset and checks the result for gradient masking.</summary>
public static class RobustnessEvaluator
{
    /// <summary>
    /// Measures clean accuracy and accuracy under every attack of <paramref name="suite"/> (plus the
    /// sanity attack unless disabled), batch by batch, each batch in its own dispose scope.
    /// <paramref name="images"/> [N, C, H, W] in [0,1] and <paramref name="labels"/> [N] must be on the model's
    /// device. Synchronous on purpose: dispose scopes and grad mode are per thread.
    /// The seed of each batch depends only on (<paramref name="seed"/>, attack name, batch index), so
    /// adding an attack to a suite does not change the others' numbers. Cancellation is checked between batches
    /// and ends the run with <see cref="OperationCanceledException"/>.
    /// </summary>
    public static SuiteResult Run(
        nn.Module<Tensor, Tensor> model,
        IReadOnlyList<AttackConfig> suite,
        Tensor images,
        Tensor labels,
        int batchSize,
        int seed,
        IProgress<AttackProgress>? progress = null,
        EvaluatorOptions? options = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        options ??= EvaluatorOptions.Default;
        var examples = checked((int)images.shape[0]);
        if (labels.shape[0] != examples)
            throw new ArgumentException($"images has {examples} examples but labels has {labels.shape[0]}.", nameof(labels));

        var configs = options.SanityCheck ? suite.Append(EvaluatorOptions.SanityAttack).ToList() : suite.ToList();
        // Build every attack first, so a misconfigured transfer fails before any compute is spent.
        var attacks = configs.Select(c => AttackFactory.Create(c, options.SourceModels)).ToList();
        var batches = (examples + batchSize - 1) / batchSize;

        using var mode = new EvalModeScope(model);
        var classes = 0;
        var clock = Stopwatch.StartNew();
        var cleanCorrect = 0;
        for (var b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Slice(images, labels, b, batchSize);
            using var noGrad = no_grad();
            var logits = model.call(x);
            classes = checked((int)logits.shape[1]);
            cleanCorrect += CountCorrect(logits, y);
            progress?.Report(new AttackProgress("clean", b + 1, batches, 0, attacks.Count));
        }
        var cleanSeconds = clock.Elapsed.TotalSeconds;

        var results = new List<AttackResult>(attacks.Count);
        for (var i = 0; i < attacks.Count; i++)
        {
            clock.Restart();
            var correct = 0;
            for (var b = 0; b < batches; b++)
            {
                // Between batches, so an interrupted process stops within one batch's attack (its checkpoint is kept).
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (x, y) = Slice(images, labels, b, batchSize);
                var adv = attacks[i].Perturb(model, x, y, BatchSeed(seed, configs[i].Name, b));
                using (no_grad())
                    correct += CountCorrect(model.call(adv), y);
                progress?.Report(new AttackProgress(configs[i].Name, b + 1, batches, i + 1, attacks.Count));
            }
            var sanity = options.SanityCheck && i == attacks.Count - 1;
            results.Add(new AttackResult(configs[i], examples, correct, Fraction(correct, examples),
                clock.Elapsed.TotalSeconds, sanity));
        }

        var result = new SuiteResult(examples, classes, batchSize, seed, Fraction(cleanCorrect, examples), cleanCorrect,
            cleanSeconds, results, []);
        return result with { Flags = MaskingChecks.Evaluate(result, options.Thresholds) };
    }

    private static (Tensor X, Tensor Y) Slice(Tensor images, Tensor labels, int batch, int batchSize)
    {
        var start = (long)batch * batchSize;
        var length = Math.Min(batchSize, images.shape[0] - start);
        return (images.narrow(0, start, length), labels.narrow(0, start, length));
    }

    private static int CountCorrect(Tensor logits, Tensor labels) =>
        checked((int)(logits.argmax(1) == labels).sum().item<long>());

    private static double Fraction(int count, int total) => total == 0 ? 0.0 : (double)count / total;

    /// <summary>FNV-1a over the attack name mixed with seed and batch: stable across runs and processes (unlike string.GetHashCode).</summary>
    internal static long BatchSeed(int seed, string attackName, int batch)
    {
        unchecked
        {
            var h = 14695981039346656037UL;
            foreach (var ch in attackName)
            {
                h ^= ch;
                h *= 1099511628211UL;
            }
            h ^= (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
            h ^= (ulong)(uint)batch * 0xC2B2AE3D27D4EB4FUL;
        // Keep it positive so it reads naturally in logs; TorchSharp generators take any 64-bit value.
            return (long)(h & long.MaxValue);
        }
    }
}
