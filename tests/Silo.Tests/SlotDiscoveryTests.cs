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
    public void WithoutGpusEachCoreGetsASlotOfOneThread()
    {
        var slots = SlotDiscovery.Build(new NodeOptions { Name = "n" }, gpus: [], cores: 8, memoryMb: 64 * 1024);
        Assert.Equal(8, slots.Count);
        Assert.Equal(("n/cpu7", "cpu", 1), (slots[7].Id, slots[7].Kind, slots[7].Threads));
    }

    [Theory]
    [InlineData(8, 5 * 1024, 2048, 2, 4)]   // 5 GB at 2 GB per trainer: 2 slots, the cores shared between them
    [InlineData(8, 1024, 2048, 1, 8)]       // less memory than one trainer's budget: still one slot
    [InlineData(2, 24 * 1024, 2048, 2, 1)]  // this machine: memory for 12, cores for 2
    [InlineData(4, 24 * 1024, 8192, 3, 1)]  // an operator's larger budget (VGG-sized trainers)
    public void WithoutGpusMemoryCapsTheSlots(int cores, long memoryMb, int perSlotMb, int slots, int threads)
    {
        var built = SlotDiscovery.Build(new NodeOptions { Name = "n", MemoryPerCpuSlotMb = perSlotMb }, gpus: [], cores, memoryMb);
        Assert.Equal(slots, built.Count);
        Assert.All(built, s => Assert.Equal(threads, s.Threads));
    }

    [Fact]
    public void ConfiguredCpuSlotsShareTheCores()
    {
        var slots = SlotDiscovery.Build(new NodeOptions { Name = "n", CpuSlots = 4 }, gpus: [0], cores: 8);
        Assert.Equal(5, slots.Count);
        Assert.All(slots.Where(s => s.Kind == "cpu"), s => Assert.Equal(2, s.Threads));
    }
}
