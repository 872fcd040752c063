namespace StableSnn.Grains.Policy;

/// <summary>What to do after an attempt ended: retry after <paramref name="Delay"/>, or stop; <paramref name="Why"/> is shown to operators.</summary>
[GenerateSerializer, Alias("StableSnn.RetryDecision")]
public sealed record RetryDecision(
    [property: Id(0)] bool Retry,
    [property: Id(1)] TimeSpan Delay,
    [property: Id(2)] string Why);
