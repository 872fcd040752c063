using StableSnn.Contracts;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;

namespace StableSnn.Trainer.Tests.Experiment;

/// <summary>Every name the engine accepts is one the trainer can run, and the trainer knows no name the engine rejects.</summary>
public class RegistryTests
{
    [Fact]
    public void The_suite_catalog_resolves_exactly_the_suite_names()
    {
        Assert.Equal(AttackSuiteNames.All.Order(StringComparer.Ordinal), SuiteCatalog.Names.Order(StringComparer.Ordinal));
        Assert.Empty(SuiteCatalog.Resolve(AttackSuiteNames.None));
        Assert.Throws<SpecException>(() => SuiteCatalog.Resolve("no-such-suite.json"));
    }

    [Fact]
    public void Architectures_build_exactly_the_architecture_names()
    {
        Assert.Equal(ArchitectureNames.All.Order(StringComparer.Ordinal), Architectures.Names.Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => Architectures.Build("resnet50", new InputShape(1, 28, 28), 10, new(StableSnn.Trainer.Spiking.NeuronKind.Lif), [0f], [1f]));
    }
}
