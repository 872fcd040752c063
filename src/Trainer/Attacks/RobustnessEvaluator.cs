using System.Diagnostics;
using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Runs an attack suite over a fixed evaluation subset and checks the result for gradient masking.</summary>
public static class RobustnessEvaluator
{
    /// <summary>
    /// Measures clean accuracy and accuracy under every attack of <paramref name="suite"/> (plus the sanity attack
    /// unless disabled) on the same images, batch by batch, each batch in its own dispose scope, keeping per-example
    /// correctness so that the per-example worst case at each epsilon can be taken. Attacks marked
    /// <see cref="AttackConfig.Cascade"/> run only on the images still robust before them.
    /// <paramref name="images"/> [N, C, H, W] in [0,1] and <paramref name="labels"/> [N] must be on the model's
    /// device. Synchronous on purpose: dispose scopes and grad mode are per thread.
    /// Each example's noise comes from its own seed, a function of (<paramref name="seed"/>, attack name, example
    /// index) alone: adding an attack to a suite does not change the others' numbers, and neither does the batch size
    /// (up to float rounding of the batched model, see bench/README.md). Cancellation is checked between batches
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

        // Counts the images each attack forwards (queries; a gradient attack also runs a backward per forward).
        var counted = new ForwardCount();
        var hook = model.register_forward_pre_hook((_, x) => { counted.Images += x.shape[0]; return x; });
        try
        {
            return RunCounted(model, suite, images, labels, batchSize, seed, progress, options, cancel, counted);
        }
        finally
        {
            hook.remove();
        }
    }

    static SuiteResult RunCounted(nn.Module<Tensor, Tensor> model, IReadOnlyList<AttackConfig> suite, Tensor images, Tensor labels,
        int batchSize, int seed, IProgress<AttackProgress>? progress, EvaluatorOptions options, CancellationToken cancel, ForwardCount counted)
    {
        var examples = checked((int)images.shape[0]);
        var configs = options.SanityCheck ? suite.Append(EvaluatorOptions.SanityAttack).ToList() : suite.ToList();
        // Build every attack first, so a misconfigured transfer fails before any compute is spent.
        var attacks = configs.Select(c => AttackFactory.Create(c, options.SourceModels)).ToList();
        var batches = (examples + batchSize - 1) / batchSize;

        using var mode = new EvalModeScope(model);
        // Inside a batch, the attack's own loop reports how far it is (and stops on cancellation).
        (string Name, int Batch, int Batches, int Index) running = ("clean", 0, batches, 0);
        using var loop = AttackLoop.Use(cancel, (done, total) => progress?.Report(
            new AttackProgress(running.Name, running.Batch, running.Batches, running.Index, attacks.Count) { Iteration = done, Iterations = total }),
            options.ProgressEvery);
        var clock = Stopwatch.StartNew();
        var clean = new bool[examples];
        var classes = 0;
        var zeroGradient = 0;
        for (var b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var (x, y, start) = Slice(images, labels, b, batchSize);
            // The clean pass also measures whether the input gradient vanishes (one backward per batch).
            var (_, grad, logits) = AttackOps.LossAndGrad(model, x, y, AttackLoss.CE);
            classes = checked((int)logits.shape[1]);
            Record(logits, y, clean, start);
            zeroGradient += checked((int)(grad.abs().flatten(1).amax(1) == 0).sum().item<long>());
            progress?.Report(new AttackProgress("clean", b + 1, batches, 0, attacks.Count));
        }
        var cleanSeconds = clock.Elapsed.TotalSeconds;

        var masks = new List<bool[]>(attacks.Count);
        var results = new List<AttackResult>(attacks.Count);
        for (var i = 0; i < attacks.Count; i++)
        {
            clock.Restart();
            counted.Images = 0;
            var sanity = options.SanityCheck && i == attacks.Count - 1;
            var correct = new bool[examples];
            int attempted;
            // Attacks that only query (no backward) keep far less in memory: one batch holds more of the images.
            var size = configs[i].Kind is AttackKind.Square or AttackKind.Gaussian && options.QueryBatchSize is { } q ? Math.Max(q, batchSize) : batchSize;
            if (configs[i].Cascade && !sanity)
            {
                // Still robust: right clean and under every earlier attack that counts for the worst case at this eps.
                var still = ExampleMask.AndAll(clean, Enumerable.Range(0, results.Count)
                    .Where(j => CountsForWorstCase(results[j]) && results[j].Attack.Epsilon == configs[i].Epsilon).Select(j => masks[j]));
                attempted = RunCascade(model, attacks[i], configs[i].Name, images, labels, still, correct, size, seed,
                    progress, i + 1, attacks.Count, cancel, (b, n) => running = (configs[i].Name, b, n, i + 1));
            }
            else
            {
                attempted = examples;
                var count = (examples + size - 1) / size;
                for (var b = 0; b < count; b++)
                {
                    // Between batches, so an interrupted process stops within one batch's attack (its checkpoint is kept).
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var (x, y, start) = Slice(images, labels, b, size);
                    running = (configs[i].Name, b, count, i + 1);
                    var adv = attacks[i].Perturb(model, x, y, Seeds(seed, configs[i].Name, Enumerable.Range(start, checked((int)x.shape[0])).Select(k => (long)k)));
                    using (no_grad())
                        Record(model.call(adv), y, correct, start);
                    progress?.Report(new AttackProgress(configs[i].Name, b + 1, count, i + 1, attacks.Count));
                }
            }
            masks.Add(correct);
            var robust = correct.Count(c => c);
            results.Add(new AttackResult(configs[i], examples, robust, Fraction(robust, examples), clock.Elapsed.TotalSeconds, sanity)
            {
                Mask = ExampleMask.Pack(correct), Attempted = attempted, ImageForwards = counted.Images,
            });
        }

        var cleanCorrect = clean.Count(c => c);
        var result = new SuiteResult(examples, classes, batchSize, seed, Fraction(cleanCorrect, examples), cleanCorrect,
            cleanSeconds, results, [])
        {
            CleanMask = ExampleMask.Pack(clean),
            WorstCases = WorstCases(clean, results, masks),
            ZeroGradientFraction = Fraction(zeroGradient, examples),
            Budget = SuiteBudgets.Describe(suite, classes),
        };
        var flags = MaskingChecks.Evaluate(result, options.Thresholds);
        return result with { Flags = flags, Unreliable = MaskingChecks.Unreliable(result, flags) };
    }

    /// <summary>Whether an attack counts towards the worst case: an L-infinity attack, not a sanity probe or random noise.</summary>
    public static bool CountsForWorstCase(AttackResult a) => !a.Sanity && a.Attack.Kind != AttackKind.Gaussian;

    /// <summary>Per epsilon: clean AND every attack at that epsilon that counts for the worst case.</summary>
    static List<WorstCase> WorstCases(bool[] clean, List<AttackResult> results, List<bool[]> masks)
    {
        var worst = new List<WorstCase>();
        var indices = Enumerable.Range(0, results.Count).Where(i => CountsForWorstCase(results[i])).ToList();
        foreach (var group in indices.GroupBy(i => results[i].Attack.Epsilon).OrderBy(g => g.Key))
        {
            var mask = ExampleMask.AndAll(clean, group.Select(i => masks[i]));
            var count = mask.Count(c => c);
            worst.Add(new WorstCase(group.Key, clean.Length, count, Fraction(count, clean.Length),
                group.Select(i => results[i].Attack.Name).ToList(), ExampleMask.Pack(mask)));
        }
        return worst;
    }

    /// <summary>Attacks the images <paramref name="still"/> marks, in batches of the same size; the rest stay false (already broken).</summary>
    static int RunCascade(nn.Module<Tensor, Tensor> model, IAttack attack, string name, Tensor images, Tensor labels, bool[] still,
        bool[] correct, int batchSize, int seed, IProgress<AttackProgress>? progress, int index, int count, CancellationToken cancel,
        Action<int, int> starting)
    {
        var chosen = Enumerable.Range(0, still.Length).Where(i => still[i]).Select(i => (long)i).ToArray();
        var batches = (chosen.Length + batchSize - 1) / batchSize;
        for (var b = 0; b < batches; b++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var part = chosen.AsSpan(b * batchSize, Math.Min(batchSize, chosen.Length - b * batchSize)).ToArray();
            starting(b, batches);
            var rows = tensor(part, device: images.device);
            var x = images.index_select(0, rows);
            var y = labels.index_select(0, rows);
            var adv = attack.Perturb(model, x, y, Seeds(seed, name, part));
            using (no_grad())
            {
                var right = (model.call(adv).argmax(1) == y).cpu().data<bool>().ToArray();
                for (var k = 0; k < part.Length; k++) correct[part[k]] = right[k];
            }
            progress?.Report(new AttackProgress(name, b + 1, batches, index, count));
        }
        if (batches == 0) progress?.Report(new AttackProgress(name, 0, 0, index, count));
        return chosen.Length;
    }

    private static (Tensor X, Tensor Y, int Start) Slice(Tensor images, Tensor labels, int batch, int batchSize)
    {
        var start = (long)batch * batchSize;
        var length = Math.Min(batchSize, images.shape[0] - start);
        return (images.narrow(0, start, length), labels.narrow(0, start, length), (int)start);
    }

    private static void Record(Tensor logits, Tensor labels, bool[] correct, int start)
    {
        var right = (logits.argmax(1) == labels).cpu().data<bool>().ToArray();
        right.CopyTo(correct, start);
    }

    private static double Fraction(int count, int total) => total == 0 ? 0.0 : (double)count / total;

    sealed class ForwardCount
    {
        public long Images { get; set; }
    }

    /// <summary>One attack's seeds for the given example indices (of the evaluation subset), whatever batch holds them.</summary>
    static ExampleSeeds Seeds(int seed, string attackName, IEnumerable<long> examples) =>
        ExampleSeeds.Of([.. examples.Select(row => ExampleSeeds.Mix(seed, row, attackName))]);
}
