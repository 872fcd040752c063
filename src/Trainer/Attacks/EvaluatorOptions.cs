using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Options of <see cref="RobustnessEvaluator.Run"/>.</summary>
/// <param name="SanityCheck">Also run <see cref="SanityAttack"/> and record it as a sanity entry.</param>
/// <param name="SourceModels">Loads transfer-attack source models by checkpoint name (on the images' device).</param>
/// <param name="Thresholds">Tolerances of the masking checks.</param>
/// <param name="QueryBatchSize">
/// Images per batch for attacks that only query the model (Square, Gaussian noise), when larger than the batch size:
/// without a backward they keep far less in memory, and a few large batches use the cores better than a tail batch
/// of a few images running thousands of queries. Results do not depend on it (per-example seeds).
/// </param>
public sealed record EvaluatorOptions(
    bool SanityCheck = true,
    Func<string, nn.Module<Tensor, Tensor>>? SourceModels = null,
    MaskingThresholds? Thresholds = null,
    int? QueryBatchSize = null)
{
    /// <summary>How often a long batch reports its attack's steps (besides the report after each batch).</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(2);

    public static EvaluatorOptions Default { get; } = new();

    /// <summary>
    /// PGD over the whole pixel range (eps 1, 20 steps of 1/8) through the adaptive backward, so it checks the strongest
    /// gradient the suite has (the paper's training surrogate has its own checks). It starts from the clean image on
    /// purpose: a random start that large scrambles the image by itself and would reach chance even
    /// with zero gradients, hiding exactly the masking this check looks for.
    /// </summary>
    public static AttackConfig SanityAttack { get; } =
        new("sanity-pgd-eps1", AttackKind.Pgd, 1f, Steps: 20, StepSize: 0.125f, RandomStart: false, Surrogate: AttackSuites.Adaptive);
}
