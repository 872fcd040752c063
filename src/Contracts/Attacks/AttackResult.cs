namespace StableSnn.Contracts;

/// <summary>Accuracy of the model under one attack. <see cref="Sanity"/> marks entries the evaluator added for masking checks.</summary>
public sealed record AttackResult(
    AttackConfig Attack,
    int Examples,
    int Correct,
    double Accuracy,
    double Seconds,
    bool Sanity = false)
{
    /// <summary>Per-example correctness under the attack (<see cref="ExampleMask"/>); null in results from before it was kept.</summary>
    public string? Mask { get; init; }
    /// <summary>Images the attack actually ran on: all of them, or for a cascade attack those still robust before it.</summary>
    public int Attempted { get; init; }
    /// <summary>Images the model forwarded for this attack (queries; gradient attacks add a backward to each): its cost in model passes.</summary>
    public long ImageForwards { get; init; }
}
