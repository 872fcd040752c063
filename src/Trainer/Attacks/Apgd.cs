using StableSnn.Contracts;
using StableSnn.Trainer.Spiking;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Auto-PGD (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks"), L-infinity, as the reference implementation (fra31/auto-attack) runs it: a start drawn
/// uniformly and scaled so its largest coordinate is eps, per-example step size 2 eps, momentum <see cref="Alpha"/>,
/// and at the reference's checkpoints (<see cref="Checkpoints"/>) the step size halved and the iterate moved back to
/// the best point where the loss rose in at most a fraction rho of the window, or where the best loss did not improve
/// since a checkpoint that did not halve. Untargeted on CE or DLR, or targeted (APGD-T) on the targeted DLR loss: one
/// run per target class, each the next class down the clean image's ranking, on the images still robust.
/// Differences from the reference, none of which changes whether an image ends robust: an example leaves the batch
/// as soon as it is misclassified (its fooling iterate is kept; the others' runs are unchanged because every example
/// has its own random stream and, under an adaptive surrogate, its own statistics), and images it did not fool come
/// back at their highest-loss point instead of clean.
/// </summary>
public sealed class Apgd : IAttack
{
    public const float Alpha = 0.75f;

    /// <summary>AutoAttack's number of target classes for APGD-T.</summary>
    public const int StandardTargets = 9;

    // Stable step rule: running moments of the normalised gradient (SA-PGD-like).
    const double Beta1 = 0.9, Beta2 = 0.99;

    public Apgd(float epsilon, int steps = 100, AttackLoss loss = AttackLoss.CE, float rho = 0.75f,
        int restarts = 1, string? name = null, int targetClasses = StandardTargets, StepRule step = StepRule.Sign)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetClasses, 1);
        Epsilon = epsilon;
        Steps = steps;
        Loss = loss;
        Rho = rho;
        Restarts = restarts;
        TargetClasses = targetClasses;
        Step = step;
        Name = name ?? (loss == AttackLoss.DlrTargeted ? "APGD-T" : $"APGD-{loss}");
    }

    public string Name { get; }
    public float Epsilon { get; }
    public int Steps { get; }
    public AttackLoss Loss { get; }
    public float Rho { get; }
    public int Restarts { get; }
    /// <summary>Target classes of APGD-T (capped at classes - 1); unused by the untargeted losses.</summary>
    public int TargetClasses { get; }
    public StepRule Step { get; }
    public bool Targeted => Loss == AttackLoss.DlrTargeted;

    /// <summary>
    /// Iterations (counted from 1) after which the step size is reconsidered, as the reference computes them: the
    /// first window is max(floor(0.22 N), 1) iterations, each next one shorter by max(floor(0.03 N), 1) down to
    /// max(floor(0.06 N), 1). For N = 100: 22, 41, 57, 70, 80, 87, 93, 99 (the paper's p_j schedule).
    /// </summary>
    public static IReadOnlyList<int> Checkpoints(int steps)
    {
        int window = Math.Max((int)(0.22 * steps), 1), shrink = Math.Max((int)(0.03 * steps), 1), shortest = Math.Max((int)(0.06 * steps), 1);
        var result = new List<int>();
        for (var at = window; at <= steps; at += window)
        {
            result.Add(at);
            window = Math.Max(window - shrink, shortest);
        }
        return result;
    }

    public Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ExampleSeeds seeds)
    {
        using var mode = new EvalModeScope(model);
        using var outer = NewDisposeScope();
        var clean = images.detach();
        using var random = seeds.Open(clean.shape[0]);
        Tensor cleanLogits;
        using (no_grad()) cleanLogits = model.call(clean);
        // As the reference: only images classified correctly are attacked; the others come back clean.
        var robust = (cleanLogits.argmax(1) == labels).cpu().data<bool>().ToArray();
        var adv = clean.clone();
        var targets = Targeted ? Math.Min(TargetClasses, checked((int)cleanLogits.shape[1]) - 1) : 1;
        for (var rank = 1; rank <= targets; rank++)
        {
            for (var restart = 0; restart < Restarts; restart++)
            {
                var rows = Enumerable.Range(0, robust.Length).Where(i => robust[i]).Select(i => (long)i).ToArray();
                if (rows.Length == 0) return adv.MoveToOuterDisposeScope();
                using var runScope = NewDisposeScope();
                var index = tensor(rows, device: clean.device);
                var target = Targeted ? AttackLosses.Targets(cleanLogits.index_select(0, index), rank) : null;
                // Each run fits its own surrogate statistics (a new start, perhaps a new target).
                SurrogateOverride.Tracker?.Restart();
                var (runAdv, fooled) = RunOnce(model, clean.index_select(0, index), labels.index_select(0, index), target, random, rows,
                    (rank - 1) * Restarts + restart, targets * Restarts);
                adv.index_copy_(0, index, runAdv);
                var fooledRows = fooled.cpu().data<bool>().ToArray();
                for (var k = 0; k < rows.Length; k++)
                    if (fooledRows[k]) robust[rows[k]] = false;
            }
        }
        return adv.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One run on a batch of correctly classified images. Returns per example its first misclassified iterate, or its
    /// highest-loss iterate, and whether it was fooled. <paramref name="rows"/> name the examples' random streams;
    /// <paramref name="run"/> of <paramref name="runs"/> is only for progress.
    /// </summary>
    (Tensor Adv, Tensor Fooled) RunOnce(nn.Module<Tensor, Tensor> model, Tensor clean, Tensor labels, Tensor? targets,
        ExampleRandom random, long[] rows, int run, int runs)
    {
        var eps = (double)Epsilon;
        var checkpoints = Checkpoints(Steps);
        var batch = clean.shape[0];
        var result = empty_like(clean);
        var fooledAll = zeros(batch, dtype: ScalarType.Bool, device: clean.device);

        var draw = random.UniformSymmetric(rows, clean);
        var largest = AttackOps.PerExample(draw.abs().flatten(1).amax(new long[] { 1 }), clean);
        var x = (clean + eps * draw / (largest + 1e-12)).clamp(0.0, 1.0);
        var (loss, grad, logits) = AttackOps.LossAndGrad(model, x, labels, Loss, targets);

        // live: positions (in this run's batch) of the examples still attacked; every state tensor is indexed by it.
        var live = arange(batch, device: clean.device);
        var state = new RunState
        {
            Clean = clean, Labels = labels, Targets = targets, X = x, Old = x, Grad = grad,
            BestX = x, BestGrad = grad, BestLoss = loss, BestLossAtLast = loss,
            // The reference compares the first iterate's loss with its still-empty history row: zero.
            PreviousLoss = zeros_like(loss),
            StepSize = full(batch, 2.0 * eps, dtype: clean.dtype, device: clean.device),
            Successes = zeros(batch, dtype: ScalarType.Int32, device: clean.device),
            ReducedAtLast = ones(batch, dtype: ScalarType.Bool, device: clean.device),
            Moment = Step == StepRule.Stable ? zeros_like(clean) : null,
            Square = Step == StepRule.Stable ? zeros_like(clean) : null,
        };
        var startFooled = logits.argmax(1) != labels;
        (live, state) = Retire(startFooled, x, live, state, result, fooledAll);

        var window = checkpoints.Count > 0 ? checkpoints[0] : Steps + 1;
        var sinceCheckpoint = 0;
        var nextCheckpoint = 0;
        for (var k = 0; k < Steps && live.shape[0] > 0; k++)
        {
            AttackLoop.Step(run * (long)Steps + k, runs * (long)Steps);
            using var stepScope = NewDisposeScope();
            var previous = state;
            var s = state;
            var momentum = s.X - s.Old;
            var old = s.X;
            var a = k == 0 ? 1.0 : Alpha;
            var (direction, moment, square) = Direction(s, k);
            var z = AttackOps.Project(s.X + AttackOps.PerExample(s.StepSize, s.X) * direction, s.Clean, eps);
            var next = AttackOps.Project(s.X + (z - s.X) * a + momentum * (1 - a), s.Clean, eps);
            var (nextLoss, nextGrad, nextLogits) = AttackOps.LossAndGrad(model, next, s.Labels, Loss, s.Targets);

            var successes = s.Successes + (nextLoss > s.PreviousLoss).to(ScalarType.Int32);
            var improved = nextLoss > s.BestLoss;
            var improvedX = AttackOps.PerExample(improved, next);
            s = s with
            {
                X = next, Old = old, Grad = nextGrad, PreviousLoss = nextLoss, Successes = successes, Moment = moment, Square = square,
                BestX = where(improvedX, next, s.BestX), BestGrad = where(improvedX, nextGrad, s.BestGrad),
                BestLoss = where(improved, nextLoss, s.BestLoss),
            };

            sinceCheckpoint++;
            if (sinceCheckpoint == window)
            {
                var oscillating = s.Successes.to(ScalarType.Float32) <= Rho * window;
                var noProgress = ~s.ReducedAtLast & (s.BestLossAtLast >= s.BestLoss);
                var reduce = oscillating | noProgress;
                var reduceX = AttackOps.PerExample(reduce, s.X);
                s = s with
                {
                    StepSize = where(reduce, s.StepSize / 2, s.StepSize),
                    X = where(reduceX, s.BestX, s.X), Grad = where(reduceX, s.BestGrad, s.Grad),
                    ReducedAtLast = reduce, BestLossAtLast = s.BestLoss, Successes = zeros_like(s.Successes),
                };
                nextCheckpoint++;
                window = nextCheckpoint < checkpoints.Count ? checkpoints[nextCheckpoint] - checkpoints[nextCheckpoint - 1] : Steps + 1;
                sinceCheckpoint = 0;
            }

            // The evaluated iterate (before any move back to the best point) is what fooled the model.
            (live, s) = Retire(nextLogits.argmax(1) != s.Labels, next, live, s, result, fooledAll);
            state = s.MoveToOuter(stepScope);
            live = live.MoveToOuterDisposeScope();
            // The run's scope would otherwise keep every iteration's state until the run ends.
            previous.DisposeReplacedBy(state);
        }
        if (live.shape[0] > 0) result.index_copy_(0, live, state.BestX);
        return (result, fooledAll);
    }

    /// <summary>
    /// Writes the examples <paramref name="fooled"/> marks (their iterate <paramref name="x"/>) into the result and
    /// drops them from every state tensor and from the surrogate's statistics.
    /// </summary>
    static (Tensor Live, RunState State) Retire(Tensor fooled, Tensor x, Tensor live, RunState state, Tensor result, Tensor fooledAll)
    {
        if (!fooled.any().item<bool>()) return (live, state);
        var done = fooled.nonzero().squeeze(1);
        var positions = live.index_select(0, done);
        result.index_copy_(0, positions, x.index_select(0, done));
        fooledAll.index_fill_(0, positions, true);
        var keep = (~fooled).nonzero().squeeze(1);
        SurrogateOverride.Tracker?.Keep(keep);
        return (live.index_select(0, keep), state.Select(keep));
    }

    /// <summary>sign(grad), or the stable adaptive step: clip(m^ / (sqrt(v^) + 1e-8), -1, 1) over L1-normalised gradients.</summary>
    (Tensor Direction, Tensor? Moment, Tensor? Square) Direction(RunState s, int k)
    {
        if (Step == StepRule.Sign) return (s.Grad.sign(), null, null);
        var scale = AttackOps.PerExample(s.Grad.abs().flatten(1).mean(new long[] { 1 }), s.Grad) + 1e-12;
        var g = s.Grad / scale;
        var moment = s.Moment! * Beta1 + g * (1 - Beta1);
        var square = s.Square! * Beta2 + g.square() * (1 - Beta2);
        var mHat = moment / (1 - Math.Pow(Beta1, k + 1));
        var vHat = square / (1 - Math.Pow(Beta2, k + 1));
        return ((mHat / (vHat.sqrt() + 1e-8)).clamp(-1.0, 1.0), moment, square);
    }

    /// <summary>Everything one run carries per live example, so that retiring examples is one select per field.</summary>
    sealed record RunState
    {
        public required Tensor Clean { get; init; }
        public required Tensor Labels { get; init; }
        public Tensor? Targets { get; init; }
        public required Tensor X { get; init; }
        public required Tensor Old { get; init; }
        public required Tensor Grad { get; init; }
        public required Tensor BestX { get; init; }
        public required Tensor BestGrad { get; init; }
        public required Tensor BestLoss { get; init; }
        public required Tensor BestLossAtLast { get; init; }
        public required Tensor PreviousLoss { get; init; }
        public required Tensor StepSize { get; init; }
        public required Tensor Successes { get; init; }
        public required Tensor ReducedAtLast { get; init; }
        public Tensor? Moment { get; init; }
        public Tensor? Square { get; init; }

        IEnumerable<Tensor?> All => [Clean, Labels, Targets, X, Old, Grad, BestX, BestGrad, BestLoss, BestLossAtLast,
            PreviousLoss, StepSize, Successes, ReducedAtLast, Moment, Square];

        public RunState Select(Tensor keep)
        {
            Tensor? Pick(Tensor? t) => t?.index_select(0, keep);
            return new RunState
            {
                Clean = Pick(Clean)!, Labels = Pick(Labels)!, Targets = Pick(Targets), X = Pick(X)!, Old = Pick(Old)!,
                Grad = Pick(Grad)!, BestX = Pick(BestX)!, BestGrad = Pick(BestGrad)!, BestLoss = Pick(BestLoss)!,
                BestLossAtLast = Pick(BestLossAtLast)!, PreviousLoss = Pick(PreviousLoss)!, StepSize = Pick(StepSize)!,
                Successes = Pick(Successes)!, ReducedAtLast = Pick(ReducedAtLast)!, Moment = Pick(Moment), Square = Pick(Square),
            };
        }

        /// <summary>Moves this step's tensors out of its scope, so the next step sees them (carried-over ones stay put).</summary>
        public RunState MoveToOuter(DisposeScope scope)
        {
            scope.MoveToOuter(Distinct(All).ToArray());
            return this;
        }

        /// <summary>Disposes the tensors of this (older) state that <paramref name="newer"/> no longer holds.</summary>
        public void DisposeReplacedBy(RunState newer)
        {
            var kept = new HashSet<Tensor>(Distinct(newer.All), ReferenceEqualityComparer.Instance);
            foreach (var t in Distinct(All).Where(t => !kept.Contains(t))) t.Dispose();
        }

        static IEnumerable<Tensor> Distinct(IEnumerable<Tensor?> tensors) =>
            tensors.OfType<Tensor>().Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>();
    }
}
