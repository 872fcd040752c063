using StableSnn.Silo.Nodes;

namespace StableSnn.Silo.Tests;

public class SlotDiscoveryTests
{
    [Fact]
    public void GpusGetSlotsPerGpuAndNoCpuSlotsUnlessAsked()
    {
        var slots = SlotDiscovery.Build(new NodeOptions { Name = "n1", SlotsPerGpu = 2 }, gpus: [0, 1], cores: 16);
        Assert.Equal(["n1/gpu0-0", "n1/gpu0-1", "n1/gpu1-0", "n1/gpu1-1"], slots.Select(s => s.Id));
        Assert.All(slots, s => Assert.Equal("gpu", s.Kind));
        Assert.Equal("cuda:1", slots[3].Device);
    }

    [Fact]
    public void WithoutGpusOneCpuSlotGetsEveryCore()
    {
        var slot = Assert.Single(SlotDiscovery.Build(new NodeOptions { Name = "n" }, gpus: [], cores: 8));
        Assert.Equal(("n/cpu0", "cpu", 8), (slot.Id, slot.Kind, slot.Threads));
    }

    [Fact]
    public void ConfiguredCpuSlotsShareTheCores()
    {
        var slots = SlotDiscovery.Build(new NodeOptions { Name = "n", CpuSlots = 4 }, gpus: [0], cores: 8);
        Assert.Equal(5, slots.Count);
        Assert.All(slots.Where(s => s.Kind == "cpu"), s => Assert.Equal(2, s.Threads));
    }
}
