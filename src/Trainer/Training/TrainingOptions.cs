namespace StableSnn.Trainer.Training;

/// <summary>Hyper-parameters of one training run; defaults are the paper's (PAPER.md section 3).</summary>
public sealed record TrainingOptions
{
    public TrainingMode Mode { get; init; } = TrainingMode.Raw;
    /// <summary>Weight of the stability regulariser (the paper's rho); 0 disables it.</summary>
    public double Alpha { get; init; } = 1.0;
    /// <summary>Share of the clean cross-entropy in the loss; the perturbed one gets 1 - kappa.</summary>
    public double Kappa { get; init; } = 0.5;
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    /// <summary>Null: the mode's default (5e-4, or 0 for AT+Reg).</summary>
    public double? WeightDecay { get; init; }
    public double GaussianSigma { get; init; } = 8 / 255.0;
    public double FgsmEpsilon { get; init; } = 4 / 255.0;
    public double FgsmStartNoise { get; init; } = 0.001;
    /// <summary>Null: the architecture's default (0.004 WRN-16, 0.001 otherwise).</summary>
    public double? RatBeta { get; init; }
    public int Seed { get; init; } = 42;

    public double EffectiveWeightDecay => WeightDecay ?? (Mode == TrainingMode.AtReg ? 0 : 5e-4);

    /// <summary>Cosine annealing from the initial rate to 0 over the run, stepped per epoch.</summary>
    public double LearningRateAt(int epoch) => 0.5 * LearningRate * (1 + Math.Cos(Math.PI * epoch / Epochs));
}
