namespace StableSnn.Grains.Search;

/// <summary>Settings of <see cref="TpeProposer"/>; the defaults suit searches of tens to a few hundred trials.</summary>
public sealed record TpeSettings
{
    /// <summary>No model until this many trials have finished: a density from three points is noise.</summary>
    public int MinFinished { get; init; } = 10;
    /// <summary>Share of finished trials counted as good (the top quantile of the objective).</summary>
    public double Gamma { get; init; } = 0.25;
    /// <summary>Candidates drawn from the good density per proposal; more exploits harder.</summary>
    public int Candidates { get; init; } = 24;
    /// <summary>Weight of the prior mixed into each density, in trials: keeps exploring and keeps g(x) above zero.</summary>
    public double PriorWeight { get; init; } = 1.0;
}

/// <summary>
/// Tree-structured Parzen Estimator (Bergstra et al. 2011). Finished trials are split at the gamma quantile of the
/// objective into good and bad; each group gets a density per dimension (Gaussian kernels in the dimension's
/// coordinates, a point mass for alpha = 0, counts for choices), l(x) for good and g(x) for bad. Candidates are drawn
/// from l and the one with the largest l(x)/g(x) is proposed: where good trials are dense and bad ones are not.
/// Dimensions are modelled independently (the product of per-dimension densities), which is what makes it cheap.
/// The first <c>startTrials</c> trials are the <see cref="StartDesign"/>; the model takes over once they are proposed
/// and <see cref="TpeSettings.MinFinished"/> trials have finished. In between (the start's last trials still running,
/// or a start shorter than MinFinished) it draws from the prior: the design is complete, a point added to it would
/// share a stratum with one of its trials, and a prior draw is what the model's own prior component proposes anyway.
/// </summary>
public sealed class TpeProposer : IProposer
{
    private readonly SearchSpace _space;
    private readonly int _seed;
    private readonly TpeSettings _settings;
    private readonly StartDesign _start;

    public TpeProposer(SearchSpace space, int seed, int startTrials = 0, TpeSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        _seed = seed;
        _start = new StartDesign(space, seed, startTrials);
        _settings = settings ?? new TpeSettings();
        ArgumentOutOfRangeException.ThrowIfLessThan(_settings.MinFinished, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(_settings.Candidates, 1);
        if (!(_settings.Gamma is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(settings), "Gamma must be in (0, 1)");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_settings.PriorWeight);
    }

    public SearchPoint Propose(int trialNumber, IReadOnlyList<SearchObservation> finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        if (_start.At(trialNumber) is { } start) return start;
        var random = ProposerRandom.For(_seed, trialNumber);
        if (finished.Count < _settings.MinFinished) return _space.Sample(random);

        // Best first; NaN (failed) counts as worst; ties keep history order, so the split is a function of the history.
        var ranked = finished.Select((o, i) => (o, i))
            .OrderByDescending(p => double.IsNaN(p.o.Objective) ? double.NegativeInfinity : p.o.Objective)
            .ThenBy(p => p.i).Select(p => p.o.Point).ToList();
        int goodCount = Math.Clamp((int)Math.Ceiling(_settings.Gamma * ranked.Count), 1, ranked.Count - 1);
        var good = ranked.Take(goodCount).ToList();
        var bad = ranked.Skip(goodCount).ToList();

        var models = _space.Dimensions.Select((d, k) => (
            Good: DimensionDensity.Fit(d, good.Select(p => p[k]).ToList(), _settings.PriorWeight),
            Bad: DimensionDensity.Fit(d, bad.Select(p => p[k]).ToList(), _settings.PriorWeight))).ToList();

        SearchPoint? best = null;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < _settings.Candidates; c++)
        {
            var values = models.Select(m => m.Good.Sample(random)).ToArray();
            // log l(x) - log g(x), summed over the independent dimensions; strict '>' keeps the first of equals.
            double score = models.Select((m, k) => m.Good.LogDensity(values[k]) - m.Bad.LogDensity(values[k])).Sum();
            if (best is null || score > bestScore) (best, bestScore) = (new SearchPoint(values), score);
        }
        return best!;
    }
}

/// <summary>A density over one dimension fitted to some trials' values, mixed with the dimension's prior.</summary>
internal abstract class DimensionDensity
{
    public abstract double Sample(Random random);
    public abstract double LogDensity(double value);

    public static DimensionDensity Fit(SearchDimension dimension, IReadOnlyList<double> values, double priorWeight) =>
        dimension.Kind == DimensionKind.Choice
            ? new ChoiceDensity(dimension, values, priorWeight)
            : new ContinuousDensity(dimension, values, priorWeight);

    /// <summary>
    /// Gaussian kernels on the observed coordinates plus the flat prior with weight <c>priorWeight</c>. For a range
    /// that may propose 0, zero is a point mass whose probability is estimated the same way (observed zeros plus the
    /// prior's share); densities for non-zero values are scaled by the remaining probability, so l/g compares like
    /// with like whether a candidate is 0 or not.
    /// </summary>
    private sealed class ContinuousDensity : DimensionDensity
    {
        private readonly SearchDimension _dimension;
        private readonly double[] _centres;
        private readonly double _low, _high, _bandwidth, _priorWeight, _zeroProbability;

        public ContinuousDensity(SearchDimension dimension, IReadOnlyList<double> values, double priorWeight)
        {
            _dimension = dimension;
            _priorWeight = priorWeight;
            _low = dimension.ToCoordinate(dimension.Low);
            _high = dimension.ToCoordinate(dimension.High);
            var nonZero = dimension.HasZero ? values.Where(v => v != 0).ToArray() : values.ToArray();
            _zeroProbability = dimension.HasZero
                ? (values.Count - nonZero.Length + priorWeight * dimension.ZeroProbability) / (values.Count + priorWeight)
                : 0;
            _centres = nonZero.Select(dimension.ToCoordinate).ToArray();
            _bandwidth = Bandwidth(_centres, _high - _low);
        }

        /// <summary>
        /// Silverman's rule of thumb (1.06 sd n^-1/5), kept between 1/50 of the range (a kernel no narrower, or a
        /// few close trials would make l/g spike) and the whole range (a lone point says little).
        /// </summary>
        private static double Bandwidth(double[] centres, double range)
        {
            if (centres.Length < 2) return range;
            double mean = centres.Average();
            double sd = Math.Sqrt(centres.Sum(c => (c - mean) * (c - mean)) / (centres.Length - 1));
            return Math.Clamp(1.06 * sd * Math.Pow(centres.Length, -0.2), range / 50, range);
        }

        public override double Sample(Random random)
        {
            if (_zeroProbability > 0 && random.NextDouble() < _zeroProbability) return 0;
            // Pick a mixture component: the prior with weight priorWeight, each kernel with weight 1.
            double pick = random.NextDouble() * (_centres.Length + _priorWeight);
            if (pick >= _centres.Length) return _dimension.FromCoordinate(_low + random.NextDouble() * (_high - _low));
            double centre = _centres[(int)pick];
            // Kernels are cut at the range's ends: redraw a few times, then clamp (rare; keeps the loop bounded).
            double x = centre;
            for (int attempt = 0; attempt < 8; attempt++)
            {
                x = centre + _bandwidth * Normal(random);
                if (x >= _low && x <= _high) break;
            }
            return _dimension.FromCoordinate(Math.Clamp(x, _low, _high));
        }

        /// <summary>
        /// In coordinates (log for log-uniform); l and g use the same coordinates, so their ratio is unaffected.
        /// Kernels are not renormalised for the cut at the range's ends: both densities lose mass alike near an end.
        /// </summary>
        public override double LogDensity(double value)
        {
            if (_dimension.HasZero && value == 0) return Math.Log(_zeroProbability);
            double x = _dimension.ToCoordinate(value);
            double sum = _priorWeight / (_high - _low);
            foreach (var centre in _centres)
            {
                double z = (x - centre) / _bandwidth;
                sum += Math.Exp(-0.5 * z * z) / (_bandwidth * Math.Sqrt(2 * Math.PI));
            }
            return Math.Log(1 - _zeroProbability) + Math.Log(sum / (_centres.Length + _priorWeight));
        }

        /// <summary>Standard normal by Box-Muller (1 - u keeps the logarithm's argument above 0).</summary>
        private static double Normal(Random random) =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>Observed counts per choice plus the prior spread evenly over the choices.</summary>
    private sealed class ChoiceDensity : DimensionDensity
    {
        private readonly IReadOnlyList<int> _choices;
        private readonly double[] _weights;

        public ChoiceDensity(SearchDimension dimension, IReadOnlyList<double> values, double priorWeight)
        {
            _choices = dimension.Choices;
            _weights = _choices.Select(c => values.Count(v => v == c) + priorWeight / _choices.Count).ToArray();
            double total = _weights.Sum();
            for (int i = 0; i < _weights.Length; i++) _weights[i] /= total;
        }

        public override double Sample(Random random)
        {
            double u = random.NextDouble();
            for (int i = 0; i < _weights.Length; i++)
                if ((u -= _weights[i]) < 0) return _choices[i];
            return _choices[^1];
        }

        public override double LogDensity(double value)
        {
            for (int i = 0; i < _choices.Count; i++)
                if (_choices[i] == value) return Math.Log(_weights[i]);
            return double.NegativeInfinity;
        }
    }
}
