namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Reported after each finished batch. <see cref="Batch"/> counts finished batches (1..Batches);
/// <see cref="AttackIndex"/> is 0 for the clean pass, then 1..Attacks.
/// </summary>
public sealed record AttackProgress(string Attack, int Batch, int Batches, int AttackIndex, int Attacks);
