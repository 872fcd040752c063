namespace StableSnn.Contracts;

/// <summary>Accuracy of the model under one attack. <see cref="Sanity"/> marks entries the evaluator added for masking checks.</summary>
public sealed record AttackResult(
    AttackConfig Attack,
    int Examples,
    int Correct,
    double Accuracy,
    double Seconds,
    bool Sanity = false);
