using System.Numerics;
using System.Runtime.InteropServices;

namespace StableSnn.Trainer.Spiking;

/// <summary>
/// The LIF/DLIF recurrence and its backward pass as single fused loops over raw float32 CPU memory, laid out
/// [T, N] (time major, N = batch x features). Each of the N neurons is independent, so chunks of N run in
/// parallel and each chunk walks time with its membrane in a small buffer: one pass over memory per direction
/// instead of the ~7 (forward) and ~10 (backward) tensor operations and their temporaries per time step.
/// Arithmetic follows the tensor version operation by operation (no fused multiply-add), so spikes are identical.
/// </summary>
internal static unsafe class LifKernel
{
    const int Chunk = 8192;

    public readonly record struct Constants(float Tau, float Threshold, float Width);

    /// <summary>
    /// u[t] = tau m[t-1] + p[t] I[t]; s[t] = H(u[t] - Vth); m[t] = u[t] (1 - s[t]). Writes spikes and, when
    /// <paramref name="membrane"/> is not null, u[t] (what backward needs).
    /// </summary>
    public static void Forward(float* input, float* gains, float* spikes, float* membrane, int steps, long n, Constants c, int threads) =>
        ForEachChunk(n, threads, (start, length) =>
        {
            float* mp = stackalloc float[length];
            var vTau = new Vector<float>(c.Tau);
            var vTh = new Vector<float>(c.Threshold);
            for (int t = 0; t < steps; t++)
            {
                float p = gains is null ? 1f : gains[t];
                var vP = new Vector<float>(p);
                long offset = t * n + start;
                float* i = input + offset, s = spikes + offset, u = membrane is null ? null : membrane + offset;
                int k = 0;
                {
                    for (; k <= length - Vector<float>.Count; k += Vector<float>.Count)
                    {
                        var current = gains is null ? Vector.Load(i + k) : Vector.Load(i + k) * vP;
                        var charged = t == 0 ? current : Vector.Load(mp + k) * vTau + current;
                        var fired = Vector.GreaterThanOrEqual(charged - vTh, Vector<float>.Zero);
                        Vector.ConditionalSelect(fired, Vector<float>.One, Vector<float>.Zero).Store(s + k);
                        Vector.ConditionalSelect(fired, Vector<float>.Zero, charged).Store(mp + k);
                        if (u is not null) charged.Store(u + k);
                    }
                    for (; k < length; k++)
                    {
                        float current = gains is null ? i[k] : i[k] * p;
                        float charged = t == 0 ? current : mp[k] * c.Tau + current;
                        bool fired = charged - c.Threshold >= 0;
                        s[k] = fired ? 1f : 0f;
                        mp[k] = fired ? 0f : charged;
                        if (u is not null) u[k] = charged;
                    }
                }
            }
        });

    /// <summary>The surrogate dH/dv the backward uses.</summary>
    public enum Shape { Triangle, Arctan }

    /// <summary>
    /// Backpropagation through time. With sg[t] the surrogate at u[t] - Vth and gm the gradient reaching m[t] from step
    /// t+1 (tau times that step's gu):
    ///   gu[t] = gs[t] sg[t] + gm (1 - s[t] - u[t] sg[t]);  gI[t] = p[t] gu[t];  gp[t] = sum over N of gu[t] I[t].
    /// The reset's gradient flows through the spike as in the tensor version (no detach). sg is the triangle
    /// max(0, g - |v|) / g^2 or the arctan g / (g^2 + pi^2 v^2), with g the constant width or, where
    /// <paramref name="widths"/> is given, each element's own.
    /// </summary>
    public static void Backward(float* gradSpikes, float* membrane, float* input, float* gains, float* widths, float* gradInput,
        float* gradGains, int steps, long n, Constants c, Shape shape, int threads)
    {
        int chunks = (int)((n + Chunk - 1) / Chunk);
        // Per-chunk partial sums of the gain gradient, reduced in a fixed order so the result is deterministic.
        var partial = gradGains is null ? null : new double[chunks * steps];
        ForEachChunk(n, threads, (start, length) =>
        {
            float* gmp = stackalloc float[length];
            float inverse = 1f / (c.Width * c.Width);
            const float PiSquared = MathF.PI * MathF.PI;
            var vTh = new Vector<float>(c.Threshold);
            var vWidth = new Vector<float>(c.Width);
            var vInverse = new Vector<float>(inverse);
            var vPiSquared = new Vector<float>(PiSquared);
            var vTau = new Vector<float>(c.Tau);
            int chunk = (int)(start / Chunk);
            {
                for (int t = steps - 1; t >= 0; t--)
                {
                    float p = gains is null ? 1f : gains[t];
                    var vP = new Vector<float>(p);
                    long offset = t * n + start;
                    float* gs = gradSpikes + offset, u = membrane + offset, gi = gradInput + offset;
                    float* i = input is null ? null : input + offset;
                    float* w = widths is null ? null : widths + offset;
                    double sum = 0;
                    int k = 0;
                    for (; k <= length - Vector<float>.Count; k += Vector<float>.Count)
                    {
                        var charged = Vector.Load(u + k);
                        var excess = charged - vTh;
                        var fired = Vector.GreaterThanOrEqual(excess, Vector<float>.Zero);
                        Vector<float> sg;
                        if (shape == Shape.Triangle)
                        {
                            sg = w is null
                                ? Vector.Max(vWidth - Vector.Abs(excess), Vector<float>.Zero) * vInverse
                                : TriangleAt(excess, Vector.Load(w + k));
                        }
                        else
                        {
                            var g = w is null ? vWidth : Vector.Load(w + k);
                            sg = g / (g * g + vPiSquared * (excess * excess));
                        }
                        var gu = Vector.Load(gs + k) * sg;
                        if (t < steps - 1)
                        {
                            var keep = Vector.ConditionalSelect(fired, Vector<float>.Zero, Vector<float>.One);
                            gu += Vector.Load(gmp + k) * (keep - charged * sg);
                        }
                        (gains is null ? gu : gu * vP).Store(gi + k);
                        if (i is not null) sum += Vector.Dot(gu, Vector.Load(i + k));
                        (gu * vTau).Store(gmp + k);
                    }
                    for (; k < length; k++)
                    {
                        float charged = u[k], excess = charged - c.Threshold;
                        float g = w is null ? c.Width : w[k];
                        float sg = shape == Shape.Triangle
                            ? (w is null ? MathF.Max(c.Width - MathF.Abs(excess), 0f) * inverse : MathF.Max(g - MathF.Abs(excess), 0f) / (g * g))
                            : g / (g * g + PiSquared * (excess * excess));
                        float gu = gs[k] * sg;
                        if (t < steps - 1) gu += gmp[k] * ((excess >= 0 ? 0f : 1f) - charged * sg);
                        gi[k] = gains is null ? gu : gu * p;
                        if (i is not null) sum += gu * i[k];
                        gmp[k] = gu * c.Tau;
                    }
                    if (partial is not null) partial[chunk * steps + t] = sum;
                }
            }
        });
        if (partial is null) return;
        for (int t = 0; t < steps; t++)
        {
            double total = 0;
            for (int chunk = 0; chunk < chunks; chunk++) total += partial[chunk * steps + t];
            gradGains![t] = (float)total;
        }
    }

    static Vector<float> TriangleAt(Vector<float> excess, Vector<float> g) =>
        Vector.Max(g - Vector.Abs(excess), Vector<float>.Zero) / (g * g);

    static void ForEachChunk(long n, int threads, Action<long, int> body)
    {
        long chunks = (n + Chunk - 1) / Chunk;
        if (chunks == 1 || threads <= 1)
        {
            for (long chunk = 0; chunk < chunks; chunk++) body(chunk * Chunk, (int)Math.Min(Chunk, n - chunk * Chunk));
            return;
        }
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            chunk => body(chunk * Chunk, (int)Math.Min(Chunk, n - chunk * Chunk)));
    }

    /// <summary>The address of a tensor's first element (TorchSharp exposes no public accessor for it).</summary>
    [DllImport("LibTorchSharp")]
    public static extern IntPtr THSTensor_data(IntPtr handle);
}
