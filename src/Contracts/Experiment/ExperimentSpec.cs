using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StableSnn.Contracts;

/// <summary>
/// Everything that defines one experiment: one grid point of a sweep plus its training and attack settings.
/// Written by the silo (or by hand) as JSON; camelCase field names.
/// </summary>
public sealed record ExperimentSpec
{
    public string Id { get; init; } = "experiment";
    public string Dataset { get; init; } = "fashion-mnist";
    /// <summary>Folder holding the dataset files; null uses the dataset's default location.</summary>
    public string? DataRoot { get; init; }
    public string Architecture { get; init; } = ArchitectureNames.SmallCnn;
    /// <summary>lif or dlif.</summary>
    public string Neuron { get; init; } = "lif";
    /// <summary>raw, gaussian, at or at-reg.</summary>
    public string Mode { get; init; } = "raw";
    public double Alpha { get; init; } = 1.0;
    public int Seed { get; init; } = 42;
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.1;
    /// <summary>Use only this many training images (seeded choice); null for all.</summary>
    public int? TrainSubset { get; init; }
    /// <summary>Evaluate clean accuracy on this many test images (seeded choice); null for all.</summary>
    public int? TestSubset { get; init; }
    /// <summary>Share of the training set held out to pick the best epoch; 0 picks on the test set as the paper did.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    public int TimeSteps { get; init; } = 8;
    public double Tau { get; init; } = 0.99;
    public double Threshold { get; init; } = 1.0;
    public double SurrogateWidth { get; init; } = 1.0;
    /// <summary>Attack suite run after training: a suite name, or "none".</summary>
    public string AttackSuite { get; init; } = AttackSuiteNames.Default;
    /// <summary>Size of the fixed, seeded test subset every attack of the run is evaluated on.</summary>
    public int AttackSubset { get; init; } = 1000;
    /// <summary>
    /// Chooses the evaluation images (test and attack subsets) and the attacks' randomness. It does not follow the
    /// training seed, so every grid cell and every seed is scored on the same images and results can be paired.
    /// </summary>
    public int EvaluationSeed { get; init; }
    /// <summary>
    /// Stop after this epoch (a rung of an adaptive search): checkpoint, run <see cref="Probe"/>, write
    /// rungs/epoch-N.json and exit with <see cref="ExitCodes.RungReached"/>. The learning-rate schedule still spans
    /// <see cref="Epochs"/>, so a promoted trial resumes exactly where an uninterrupted run would be. Null: train all
    /// epochs, then evaluate and attack.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? StopAtEpoch { get; init; }
    /// <summary>The cheap robustness probe run at a rung; null uses <see cref="RungProbe"/>'s defaults.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RungProbe? Probe { get; init; }

    /// <summary>The trainer's JSON settings (specs, results): camelCase with enums as strings.</summary>
    public static JsonSerializerOptions Json => ContractJson.Options;

    /// <summary>Every problem with the spec, each naming the field and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string message) { if (!ok) errors.Add(message); }
        Require(Vocabulary.Datasets.Contains(Dataset), $"dataset: '{Dataset}' is unknown; use one of {string.Join(", ", Vocabulary.Datasets)}");
        Require(ArchitectureNames.All.Contains(Architecture), $"architecture: '{Architecture}' is unknown; use one of {string.Join(", ", ArchitectureNames.All)}");
        Require(Vocabulary.Neurons.Contains(Neuron), $"neuron: '{Neuron}' is unknown; use one of {string.Join(", ", Vocabulary.Neurons)}");
        Require(Vocabulary.Modes.Contains(Mode), $"mode: '{Mode}' is unknown; use one of {string.Join(", ", Vocabulary.Modes)}");
        Require(Alpha >= 0 && double.IsFinite(Alpha), $"alpha: {Alpha} must be a finite number >= 0 (0 disables the regulariser)");
        ExperimentLimits.Check(errors, "epochs", ExperimentLimits.Epochs(Epochs));
        ExperimentLimits.Check(errors, "batchSize", ExperimentLimits.BatchSize(BatchSize));
        ExperimentLimits.Check(errors, "learningRate", ExperimentLimits.LearningRate(LearningRate));
        ExperimentLimits.Check(errors, "trainSubset", TrainSubset is { } train ? ExperimentLimits.Subset(train) : null, ", or omitted for the whole set");
        ExperimentLimits.Check(errors, "testSubset", TestSubset is { } test ? ExperimentLimits.Subset(test) : null, ", or omitted for the whole set");
        ExperimentLimits.Check(errors, "validationFraction", ExperimentLimits.ValidationFraction(ValidationFraction));
        ExperimentLimits.Check(errors, "timeSteps", ExperimentLimits.TimeSteps(TimeSteps));
        Require(Tau is > 0 and <= 1, $"tau: {Tau} must be in (0, 1]");
        Require(Threshold > 0, $"threshold: {Threshold} must be > 0");
        Require(SurrogateWidth > 0, $"surrogateWidth: {SurrogateWidth} must be > 0");
        Require(AttackSuiteNames.IsName(AttackSuite) || (AttackSuiteNames.IsFile(AttackSuite) && File.Exists(AttackSuite)),
            $"attackSuite: '{AttackSuite}' is neither a suite ({string.Join(", ", AttackSuiteNames.All)}) nor an existing JSON file");
        ExperimentLimits.Check(errors, "attackSubset", ExperimentLimits.Subset(AttackSubset));
        ExperimentLimits.Check(errors, "evaluationSeed", ExperimentLimits.EvaluationSeed(EvaluationSeed));
        Require(StopAtEpoch is null || (StopAtEpoch >= 1 && StopAtEpoch < Epochs),
            $"stopAtEpoch: {StopAtEpoch} must be in [1, epochs) ({Epochs}), or omitted to train every epoch");
        if (Probe is not null) errors.AddRange(Probe.Validate());
        return errors;
    }

    /// <summary>Fingerprint of everything that shapes the trained weights; a checkpoint resumes only under the same hash.</summary>
    public string TrainingHash()
    {
        // Where a run pauses (a search rung) and how it is probed there do not shape the weights: a promoted trial resumes.
        var training = this with
        {
            Id = "", AttackSuite = "", AttackSubset = 0, TestSubset = null, DataRoot = null, EvaluationSeed = 0, StopAtEpoch = null, Probe = null,
        };
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(training, Json)));
        return Convert.ToHexStringLower(bytes)[..16];
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ExperimentSpec Load(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"spec file '{path}' does not exist; pass the path of an experiment spec JSON file");
        ExperimentSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<ExperimentSpec>(File.ReadAllText(path),
                new JsonSerializerOptions(Json) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new SpecException($"spec file '{path}' is not a valid experiment spec: {e.Message}");
        }
        if (spec is null) throw new SpecException($"spec file '{path}' is empty");
        var errors = spec.Validate();
        if (errors.Count > 0) throw new SpecException($"spec file '{path}' is invalid:\n  " + string.Join("\n  ", errors));
        return spec;
    }
}

/// <summary>The experiment spec cannot be used as given; the message names the field and the fix.</summary>
public sealed class SpecException(string message) : Exception(message);
