namespace StableSnn.Contracts;

/// <summary>
/// The attack suites a spec may name, and the one rule telling a suite name from a suite file. The engine checks
/// sweeps against it; the trainer's suite catalog (Experiment/SuiteCatalog.cs) gives each name its attacks, and a test
/// fails when a name here has none there.
/// </summary>
public static class AttackSuiteNames
{
    public const string Reliable = "reliable";
    /// <summary>The reliable suite below AutoAttack's standard budget, for CPU sweeps of many small models.</summary>
    public const string ReliableFast = "reliable-fast";
    public const string Standard = "standard";
    public const string Quick = "quick";
    public const string EpsilonCurve = "epsilon-curve";
    public const string ReliableCurve = "reliable+curve";
    public const string StandardCurve = "standard+curve";
    /// <summary>Runs no attack.</summary>
    public const string None = "none";

    /// <summary>The suite final results use unless a spec says otherwise.</summary>
    public const string Default = Reliable;

    public static readonly IReadOnlyList<string> All = [Reliable, ReliableFast, Standard, Quick, EpsilonCurve, ReliableCurve, StandardCurve, None];

    public static bool IsName(string? suite) => suite is not null && All.Contains(suite, StringComparer.Ordinal);

    /// <summary>A path to a JSON list of attack configurations; whether it exists is checked where the trainer runs.</summary>
    public static bool IsFile(string? suite) =>
        suite is not null && suite.Length > ".json".Length && suite.EndsWith(".json", StringComparison.Ordinal);

    public static bool IsKnown(string? suite) => IsName(suite) || IsFile(suite);
}
