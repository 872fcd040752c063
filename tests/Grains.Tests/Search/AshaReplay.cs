using StableSnn.Grains.Search;

namespace StableSnn.Grains.Tests.Search;

/// <summary>A whole history through the policy from its empty state, as a restarted search replays its reports.</summary>
public static class AshaReplay
{
    public static (AshaState State, IReadOnlyList<AshaStep> Steps) Replay(this AshaPolicy policy, IEnumerable<RungReport> history)
    {
        var state = policy.Empty;
        var steps = new List<AshaStep>();
        foreach (var report in history)
        {
            var step = state.Apply(report);
            steps.Add(step);
            state = step.State;
        }
        return (state, steps);
    }
}
