using StableSnn.Contracts;
namespace StableSnn.Grains.Policy;

/// <summary>The free slots during one <see cref="FairMatcher.Match"/> call, by kind, handed out in input order.</summary>
internal sealed class MatcherSlots
{
    public const int Gpu = 0, Cpu = 1, Any = 2;

    private readonly Queue<FreeSlot> gpu = new(), cpu = new();

    public MatcherSlots(IReadOnlyList<FreeSlot> slots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            // A slot listed twice must not be given two experiments; a slot of unknown kind can serve nobody.
            if (slot?.SlotId is null || !seen.Add(slot.SlotId)) continue;
            switch (KindIndex(slot.Kind))
            {
                case Gpu: gpu.Enqueue(slot); break;
                case Cpu: cpu.Enqueue(slot); break;
            }
        }
    }

    /// <summary>gpu, cpu or any as an index; -1 for anything else.</summary>
    public static int KindIndex(string? kind) => kind switch { Vocabulary.GpuSlot => Gpu, Vocabulary.CpuSlot => Cpu, Vocabulary.AnySlot => Any, _ => -1 };

    public bool IsEmpty => gpu.Count == 0 && cpu.Count == 0;

    public bool CanServe(int kind) => kind switch { Gpu => gpu.Count > 0, Cpu => cpu.Count > 0, _ => !IsEmpty };

    /// <summary>
    /// A slot for an experiment asking for <paramref name="kind"/>. An 'any' experiment gets a gpu slot unless a
    /// gpu-only experiment is still waiting for one (<paramref name="gpuWanted"/>) and a cpu slot is free: then it
    /// takes the cpu slot so the gpu slot stays for the experiment that cannot run elsewhere.
    /// </summary>
    public FreeSlot Take(int kind, bool gpuWanted) => kind switch
    {
        Gpu => gpu.Dequeue(),
        Cpu => cpu.Dequeue(),
        _ => gpu.Count > 0 && (cpu.Count == 0 || !gpuWanted) ? gpu.Dequeue() : cpu.Dequeue(),
    };
}
