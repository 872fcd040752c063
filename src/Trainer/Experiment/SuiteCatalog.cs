using System.Text.Json;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;

namespace StableSnn.Trainer.Experiment;

/// <summary>
/// What each suite name (<see cref="AttackSuiteNames"/>) runs. A new suite is a name there and a line here; a test
/// fails when a name has no line.
/// </summary>
public static class SuiteCatalog
{
    static readonly Dictionary<string, Func<IReadOnlyList<AttackConfig>>> Suites = new(StringComparer.Ordinal)
    {
        [AttackSuiteNames.Reliable] = () => AttackSuites.Reliable,
        [AttackSuiteNames.ReliableFast] = () => AttackSuites.ReliableFast,
        [AttackSuiteNames.ReliableCurve] = () => [.. AttackSuites.Reliable, .. AttackSuites.EpsilonCurve()],
        [AttackSuiteNames.Standard] = () => AttackSuites.Standard,
        [AttackSuiteNames.Quick] = () => AttackSuites.Quick,
        [AttackSuiteNames.EpsilonCurve] = () => AttackSuites.EpsilonCurve(),
        [AttackSuiteNames.StandardCurve] = () => [.. AttackSuites.Standard, .. AttackSuites.EpsilonCurve()],
        [AttackSuiteNames.None] = () => [],
    };

    /// <summary>The names this catalog resolves.</summary>
    public static IReadOnlyCollection<string> Names => Suites.Keys;

    /// <summary>A named suite, or a JSON file holding a list of attack configurations.</summary>
    public static IReadOnlyList<AttackConfig> Resolve(string nameOrFile)
    {
        if (Suites.TryGetValue(nameOrFile, out var suite)) return suite();
        if (AttackSuiteNames.IsFile(nameOrFile) && File.Exists(nameOrFile))
            return JsonSerializer.Deserialize<AttackConfig[]>(File.ReadAllText(nameOrFile), ContractJson.Options)
                ?? throw new SpecException($"attackSuite: '{nameOrFile}' holds no attack list");
        throw new SpecException($"attackSuite: '{nameOrFile}' is neither a suite ({string.Join(", ", AttackSuiteNames.All)}) nor an existing JSON file");
    }
}
