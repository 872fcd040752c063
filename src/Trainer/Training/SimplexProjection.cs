using static TorchSharp.torch;

namespace StableSnn.Trainer.Training;

/// <summary>Euclidean projection onto the probability simplex {w : w >= 0, sum w = 1} (sort-based, exact).</summary>
public static class SimplexProjection
{
    public static float[] Project(ReadOnlySpan<float> v)
    {
        var u = v.ToArray();
        Array.Sort(u, (a, b) => b.CompareTo(a));
        double cumulative = 0, theta = 0;
        for (int j = 0; j < u.Length; j++)
        {
            cumulative += u[j];
            double candidate = (cumulative - 1) / (j + 1);
            if (u[j] - candidate > 0) theta = candidate; // the last j where this holds defines theta
        }
        var w = new float[v.Length];
        for (int i = 0; i < w.Length; i++) w[i] = (float)Math.Max(v[i] - theta, 0);
        return w;
    }

    /// <summary>Projects a parameter vector in place.</summary>
    public static void ProjectInPlace(Tensor parameter)
    {
        using var _ = no_grad();
        var projected = Project(parameter.detach().cpu().data<float>().ToArray());
        using var t = tensor(projected, device: parameter.device);
        parameter.copy_(t);
    }
}
