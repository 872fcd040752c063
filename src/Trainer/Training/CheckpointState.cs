using StableSnn.Contracts;

namespace StableSnn.Trainer.Training;

/// <summary>
/// What a checkpoint holds besides the tensors. RNG state is derived, not stored: every epoch reseeds from
/// (seed, epoch), so resuming at epoch k replays exactly what an uninterrupted run would have done.
/// </summary>
public sealed record CheckpointState(
    int CompletedEpochs,
    string SpecHash,
    int Seed,
    double BestSelectionAccuracy,
    int BestEpoch,
    IReadOnlyList<EpochRecord> History);
