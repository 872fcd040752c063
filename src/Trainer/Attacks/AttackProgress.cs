namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Reported after each finished batch. <see cref="Batch"/> counts finished batches (1..Batches);
/// <see cref="AttackIndex"/> is 0 for the clean pass, then 1..Attacks. While a long batch runs it is also reported
/// every few seconds with <see cref="Iteration"/> of <see cref="Iterations"/> (queries or steps) of the batch after the
/// <see cref="Batch"/> finished ones.
/// </summary>
public sealed record AttackProgress(string Attack, int Batch, int Batches, int AttackIndex, int Attacks)
{
    public long Iteration { get; init; }
    public long Iterations { get; init; }
}
