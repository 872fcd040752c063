namespace StableSnn.Grains.Sweeps;

/// <summary>
/// When a job whose cost grows with the grid (a sweep's write, its accuracy aggregation) may run again: nine times its
/// last duration later, so it takes at most a tenth of the sweep's time however large the grid. Durability does not
/// depend on it: the experiments are the authority and re-report whatever a crashed sweep had not written yet.
/// </summary>
public sealed class Pacer
{
    DateTimeOffset _next = DateTimeOffset.MinValue;

    public bool Due(DateTimeOffset now) => now >= _next;

    public void Ran(TimeSpan took, DateTimeOffset now) => _next = now + took * 9;
}
