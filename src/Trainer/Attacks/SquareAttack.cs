using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Square Attack (Andriushchenko et al. 2020, "Square Attack: a query-efficient black-box adversarial attack via
/// random search"), L-infinity. Uses only the model's scores, so it cannot be fooled by vanishing or shattered
/// gradients: the check a gradient attack's robustness numbers need. Starts from vertical stripes of +-eps, then
/// each iteration proposes, per example still classified correctly, a random square window set to one random
/// +-eps per channel, keeping it when the margin z_y - max_{j != y} z_j drops. Examples stop being queried once
/// misclassified. Images must be [B, C, H, W].
/// </summary>
public sealed class SquareAttack : IAttack
{
    /// <summary>The reference's iterations (out of 10,000) after which the square's area halves.</summary>
    static readonly int[] Halvings = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];

    /// <param name="queries">Random-search iterations: the query budget per example beyond the clean and start images.</param>
    /// <param name="pInit">Initial fraction of the pixels a square covers (the paper used 0.05 on ImageNet, 0.8 on MNIST and in AutoAttack).</param>
    /// <param name="rescaleSchedule">Compress the 10,000-iteration schedule into <paramref name="queries"/> (AutoAttack: false).</param>
    public SquareAttack(float epsilon, int queries = 1000, float pInit = 0.3f, string? name = null, bool rescaleSchedule = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfLessThan(queries, 1);
        if (pInit is not (> 0f and <= 1f))
            throw new ArgumentOutOfRangeException(nameof(pInit), pInit, "p_init must lie in (0, 1].");
        Epsilon = epsilon;
        Queries = queries;
        PInit = pInit;
        RescaleSchedule = rescaleSchedule;
        Name = name ?? $"Square-{queries}";
    }

    public string Name { get; }
    public float Epsilon { get; }
    public int Queries { get; }
    public float PInit { get; }
    public bool RescaleSchedule { get; }

    /// <summary>
    /// p at iteration <paramref name="iteration"/> (from 0): p_init halved at each of <see cref="Halvings"/> passed,
    /// the iteration first mapped onto the reference's 10,000 when the schedule is rescaled to the budget.
    /// </summary>
    public static double Fraction(double pInit, int iteration, int queries, bool rescale = true)
    {
        var scaled = rescale ? (long)iteration * 10000 / queries : iteration;
        return pInit / (1 << Halvings.Count(h => scaled > h));
    }

    /// <summary>Side of the square covering a fraction p of an h x w image: at least 1, below the image's side.</summary>
    public static int Side(double p, long h, long w) =>
        (int)Math.Clamp(Math.Round(Math.Sqrt(p * h * w)), 1, Math.Max(1, Math.Min(h, w) - 1));

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"Square attack needs images [B, C, H, W], got {images.dim()} dimensions.", nameof(images));
        using var mode = new EvalModeScope(model);
        using var noGrad = no_grad();
        using var outer = NewDisposeScope();
        var clean = images.detach();
        using var random = seeds.Open(clean.shape[0]);
        var eps = (double)Epsilon;
        long batch = clean.shape[0], channels = clean.shape[1], h = clean.shape[2], w = clean.shape[3];

        // Examples misclassified already keep their clean image (a stripe start might repair them).
        var (margin, fooled) = Query(model, clean, labels);
        var start = AttackOps.Project(clean + eps * random.Signs(random.AllRows, [channels, 1, w], clean), clean, eps);
        var (startMargin, startFooled) = Query(model, start, labels);
        var x = where(AttackOps.PerExample(fooled, clean), clean, start);
        margin = where(fooled, margin, startMargin);
        fooled = fooled | startFooled;
        // Every iteration's square (corner, signs) for every example, drawn up front from the example's own generator:
        // two draws per example instead of three per example and iteration (those cost more than a small model's query).
        var corners = random.Uniform(random.AllRows, [Queries, 2]);
        var squareSigns = random.Signs(random.AllRows, [Queries, channels], clean);

        for (var i = 0; i < Queries; i++)
        {
            AttackLoop.Step(i, Queries);
            // One scope per iteration keeps only the current iterate, margins and flags alive.
            using var step = NewDisposeScope();
            var active = (~fooled).nonzero().squeeze(1);
            if (active.shape[0] == 0) break;
            var side = Side(Fraction(PInit, i, Queries, RescaleSchedule), h, w);
            var current = x.index_select(0, active);
            // Each example draws its square from its own generator: its proposals do not depend on the others.
            var candidate = Propose(current, clean.index_select(0, active), side, eps,
                // Column i first, then the active rows: selecting rows first would copy every example's whole budget of
                // draws ([n, Queries, ...]) at every iteration.
                corners.select(1, i).index_select(0, active.cpu()), squareSigns.select(1, i).index_select(0, active));
            var (newMargin, newFooled) = Query(model, candidate, labels.index_select(0, active));
            var oldMargin = margin.index_select(0, active);
            // A fooling point is taken even at an equal margin (a tie that argmax breaks away from y).
            var accept = (newMargin < oldMargin) | newFooled;
            var previous = new[] { x, margin, fooled };
            x = x.index_copy(0, active, where(AttackOps.PerExample(accept, current), candidate, current));
            margin = margin.index_copy(0, active, where(accept, newMargin, oldMargin));
            fooled = fooled.index_copy(0, active, newFooled);
            step.MoveToOuter(x, margin, fooled);
            // The outer scope would keep every iteration's state until the end: thousands of image batches.
            foreach (var t in previous) t.Dispose();
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sets a random side x side window of each image to clean +- eps, one sign per channel. A proposal that would
    /// leave the image as it is (its window already holds those signs) takes the opposite signs instead, so no query
    /// is wasted. The reference redraws until something changes: for one channel that is the same proposal, without
    /// a loop of redraws; for several, the opposite square is one of the 2^C - 1 it would choose from uniformly.
    /// </summary>
    /// <param name="corner">Per example two uniforms in [0, 1) [n, 2] that place the square's top and left.</param>
    /// <param name="channelSigns">Per example one +-1 per channel [n, C].</param>
    static Tensor Propose(Tensor current, Tensor clean, int side, double eps, Tensor corner, Tensor channelSigns)
    {
        long n = current.shape[0], channels = current.shape[1], h = current.shape[2], w = current.shape[3];
        var top = Place(corner.select(1, 0), h - side + 1).view(n, 1, 1, 1);
        var left = Place(corner.select(1, 1), w - side + 1).view(n, 1, 1, 1);
        var rows = arange(h, device: CPU).view(1, 1, h, 1);
        var cols = arange(w, device: CPU).view(1, 1, 1, w);
        var window = (rows >= top & rows < top + side & cols >= left & cols < left + side).to(current.device);
        var signs = channelSigns.view(n, channels, 1, 1);
        var candidate = where(window, AttackOps.Project(clean + eps * signs, clean, eps), current);
        var unchanged = AttackOps.PerExample((candidate == current).flatten(1).all(1), signs);
        // With eps > 0, clean + eps and clean - eps differ after clipping at every pixel, so the flip always changes.
        return where(unchanged, where(window, AttackOps.Project(clean - eps * signs, clean, eps), current), candidate);
    }

    /// <summary>A uniform u in [0, 1) as an integer in [0, count): floor(u * count), kept below count against rounding.</summary>
    static Tensor Place(Tensor u, long count) => (u * count).floor().clamp_max(count - 1).to(ScalarType.Int64);

    /// <summary>Margin z_y - max_{j != y} z_j (negative or tied-away means fooled) and whether argmax differs from y.</summary>
    static (Tensor Margin, Tensor Fooled) Query(nn.Module<Tensor, Tensor> model, Tensor x, Tensor labels)
    {
        var logits = model.call(x);
        var zy = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var zOther = logits.masked_fill(AttackLosses.LabelMask(logits, labels), float.NegativeInfinity).amax(new long[] { 1 });
        return (zy - zOther, logits.argmax(1) != labels);
    }
}
