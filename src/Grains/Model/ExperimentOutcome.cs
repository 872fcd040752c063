using StableSnn.Contracts;

namespace StableSnn.Grains.Model;

/// <summary>Accuracy under one attack (or the worst case at one epsilon), as the trainer's result.json reports it.</summary>
[GenerateSerializer, Alias("StableSnn.AttackAccuracy")]
public sealed record AttackAccuracy(
    [property: Id(0)] string Attack,
    [property: Id(1)] double Epsilon,
    [property: Id(2)] double Accuracy,
    [property: Id(3)] int Examples,
    [property: Id(4)] bool Sanity)
{
    /// <summary>Per-example correctness (<see cref="ExampleMask"/>), for paired tests; null when not kept.</summary>
    [Id(6)] public string? Mask { get; init; }
    /// <summary>The masking checks doubt this number: it is shown, marked, never as the headline.</summary>
    [Id(7)] public bool Unreliable { get; init; }
}

/// <summary>What a completed experiment measured: the numbers the sweep aggregates.</summary>
[GenerateSerializer, Alias("StableSnn.ExperimentOutcome")]
public sealed record ExperimentOutcome
{
    /// <summary>Clean accuracy on the images the attacks ran on (on the test subset when the suite is "none").</summary>
    [Id(0)] public double CleanAccuracy { get; init; }
    [Id(1)] public AttackAccuracy[] Attacks { get; init; } = [];
    /// <summary>Codes of the checks that doubt the headline (gradient masking suspected); empty when it can be trusted.</summary>
    [Id(2)] public string[] MaskingFlags { get; init; } = [];
    [Id(3)] public string Checkpoint { get; init; } = "";
    [Id(4)] public double TrainSeconds { get; init; }
    [Id(5)] public double TotalSeconds { get; init; }
    /// <summary>Images clean accuracy was measured on (for its interval).</summary>
    [Id(6)] public int Examples { get; init; }
    [Id(8)] public string? CleanMask { get; init; }
    /// <summary>Per-example worst case over the suite, one entry per epsilon (attack name <see cref="WorstCase.Label"/>).</summary>
    [Id(9)] public AttackAccuracy[] WorstCases { get; init; } = [];
    /// <summary>What each masking check said, with its numbers.</summary>
    [Id(10)] public string[] MaskingMessages { get; init; } = [];
    /// <summary>Clean accuracy of the selected weights on the (larger) test subset, and its size.</summary>
    [Id(11)] public double TestAccuracy { get; init; }
    [Id(12)] public int TestExamples { get; init; }
    /// <summary>Codes of informative findings (e.g. the paper's attacks overstate the worst case): shown, not doubting the headline.</summary>
    [Id(13)] public string[] Findings { get; init; } = [];
    /// <summary>The attack budget of the worst case (<c>autoattack</c>, or "reduced"); null before budgets were recorded.</summary>
    [Id(14)] public string? Budget { get; init; }
    /// <summary>The worst case was measured below AutoAttack's standard budget: a looser upper bound.</summary>
    [Id(15)] public bool BelowStandardBudget { get; init; }
    /// <summary>The budget in words (attacks, iterations, queries).</summary>
    [Id(16)] public string? BudgetDescription { get; init; }

    /// <summary>The numbers the engine keeps from the trainer's result.json.</summary>
    public static ExperimentOutcome From(ExperimentResult result)
    {
        var suite = result.Attacks;
        var unreliable = suite?.Unreliable.ToHashSet(StringComparer.Ordinal) ?? [];
        return new ExperimentOutcome
        {
            CleanAccuracy = suite?.CleanAccuracy ?? result.CleanTestAccuracy,
            Examples = suite?.Examples ?? result.TestExamples,
            CleanMask = suite?.CleanMask,
            Attacks = suite?.Attacks.Select(a => new AttackAccuracy(a.Attack.Name, a.Attack.Epsilon, a.Accuracy, a.Examples, a.Sanity)
            {
                Mask = a.Mask, Unreliable = unreliable.Contains(a.Attack.Name),
            }).ToArray() ?? [],
            WorstCases = suite?.WorstCases.Select(w => new AttackAccuracy(WorstCase.Label, w.Epsilon, w.Accuracy, w.Examples, false)
            {
                Mask = w.Mask,
            }).ToArray() ?? [],
            MaskingFlags = suite?.Flags.Where(f => !f.Informative).Select(f => f.Code).Distinct().ToArray() ?? [],
            Findings = suite?.Flags.Where(f => f.Informative).Select(f => f.Code).Distinct().ToArray() ?? [],
            Budget = suite?.Budget?.Name,
            BelowStandardBudget = suite?.Budget?.BelowStandard ?? false,
            BudgetDescription = suite?.Budget?.Description,
            MaskingMessages = suite?.Flags.Select(f => $"{f.Code}: {f.Message}").ToArray() ?? [],
            TestAccuracy = result.CleanTestAccuracy,
            TestExamples = result.TestExamples,
            Checkpoint = result.Checkpoint,
            TrainSeconds = result.Timings.TrainSeconds,
            TotalSeconds = result.Timings.TotalSeconds,
        };
    }
}
