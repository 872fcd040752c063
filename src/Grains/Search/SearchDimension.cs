using System.Globalization;

namespace StableSnn.Grains.Search;

[GenerateSerializer, Alias("StableSnn.DimensionKind")]
public enum DimensionKind
{
    /// <summary>Uniform over [low, high].</summary>
    Uniform,
    /// <summary>Uniform in log(value) over [low, high], optionally exactly 0 with a given probability.</summary>
    LogUniform,
    /// <summary>One of a list of integers, each equally likely (e.g. time steps T).</summary>
    Choice,
}

/// <summary>
/// One searched hyper-parameter. Alpha is log-uniform because its effect spans decades (0.01 and 0.1 differ as much
/// as 1 and 10), yet alpha = 0 (no regulariser) is the baseline every result is compared with and has no logarithm:
/// it is proposed as a separate point mass with probability <see cref="ZeroProbability"/>.
/// </summary>
[GenerateSerializer, Alias("StableSnn.SearchDimension")]
public sealed record SearchDimension
{
    /// <summary>As spelled in the spec file (alpha, learningRate, timeSteps); names the field in errors.</summary>
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public DimensionKind Kind { get; init; }
    [Id(2)] public double Low { get; init; }
    [Id(3)] public double High { get; init; }
    /// <summary>Log-uniform only: probability of proposing exactly 0, in [0, 1).</summary>
    [Id(4)] public double ZeroProbability { get; init; }
    /// <summary>Choice only: the allowed values.</summary>
    [Id(5)] public int[] Choices { get; init; } = [];

    public static SearchDimension Uniform(string name, double low, double high) =>
        new() { Name = name, Kind = DimensionKind.Uniform, Low = low, High = high };

    public static SearchDimension LogUniform(string name, double low, double high, double zeroProbability = 0) =>
        new() { Name = name, Kind = DimensionKind.LogUniform, Low = low, High = high, ZeroProbability = zeroProbability };

    public static SearchDimension Choice(string name, params int[] choices) =>
        new() { Name = name, Kind = DimensionKind.Choice, Choices = choices };

    /// <summary>True when 0 can be proposed besides the continuous range.</summary>
    public bool HasZero => Kind == DimensionKind.LogUniform && ZeroProbability > 0;

    /// <summary>A draw from the prior: what a random search proposes and what TPE starts from.</summary>
    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        switch (Kind)
        {
            case DimensionKind.Choice:
                return Choices[random.Next(Choices.Length)];
            case DimensionKind.LogUniform when HasZero && random.NextDouble() < ZeroProbability:
                return 0;
            default:
                return FromCoordinate(Lerp(ToCoordinate(Low), ToCoordinate(High), random.NextDouble()));
        }
    }

    /// <summary>
    /// Where densities are modelled: log(value) for log-uniform (the prior is flat there, so kernels of one width
    /// mean the same relative change everywhere), the value itself otherwise. Not defined for the zero point mass.
    /// </summary>
    public double ToCoordinate(double value) => Kind == DimensionKind.LogUniform ? Math.Log(value) : value;

    /// <summary>Inverse of <see cref="ToCoordinate"/>, clamped into [low, high] against rounding at the ends.</summary>
    public double FromCoordinate(double coordinate) =>
        Math.Clamp(Kind == DimensionKind.LogUniform ? Math.Exp(coordinate) : coordinate, Low, High);

    /// <summary>Every problem, each starting with the field (<paramref name="prefix"/>.name.field).</summary>
    public IReadOnlyList<string> Validate(string prefix = "search.space")
    {
        var field = string.IsNullOrEmpty(Name) ? $"{prefix}.?" : $"{prefix}.{Name}";
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) errors.Add($"{field}: has no name");
        if (Kind == DimensionKind.Choice)
        {
            if (Choices is null || Choices.Length == 0) errors.Add($"{field}.choices: is empty; list at least one value");
            else
                foreach (var duplicate in Choices.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key))
                    errors.Add($"{field}.choices: {duplicate} is listed more than once; remove the duplicate");
            return errors;
        }
        if (!double.IsFinite(Low)) errors.Add($"{field}.low: {Format(Low)} must be a finite number");
        else if (Kind == DimensionKind.LogUniform && Low <= 0)
            errors.Add($"{field}.low: must be > 0 for a log-uniform range (was {Format(Low)}); propose 0 with zeroProbability instead");
        if (!double.IsFinite(High)) errors.Add($"{field}.high: {Format(High)} must be a finite number");
        else if (double.IsFinite(Low) && High <= Low)
            errors.Add($"{field}.high: must be > low ({Format(High)} <= {Format(Low)})");
        if (Kind == DimensionKind.Uniform && ZeroProbability != 0)
            errors.Add($"{field}.zeroProbability: only a log-uniform range takes a zero probability; include 0 in [low, high] instead");
        else if (!(ZeroProbability is >= 0 and < 1))
            errors.Add($"{field}.zeroProbability: must be in [0, 1) (was {Format(ZeroProbability)})");
        return errors;
    }

    private static double Lerp(double a, double b, double t) => a + (b - a) * t;

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
