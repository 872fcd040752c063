namespace StableSnn.Trainer.Training;

/// <summary>Per-epoch record kept in every checkpoint, so a resumed run reports the whole history.</summary>
public sealed record EpochRecord(int Epoch, double LearningRate, double TrainLoss, double TrainAccuracy,
    double Regulariser, double SelectionAccuracy, double Seconds, double ImagesPerSecond);

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
