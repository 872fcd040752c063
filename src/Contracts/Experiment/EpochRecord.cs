namespace StableSnn.Contracts;

/// <summary>Per-epoch record kept in every checkpoint and in result.json, so a resumed run reports the whole history.</summary>
public sealed record EpochRecord(int Epoch, double LearningRate, double TrainLoss, double TrainAccuracy,
    double Regulariser, double SelectionAccuracy, double Seconds, double ImagesPerSecond);
