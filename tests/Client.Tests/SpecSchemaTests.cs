using StableSnn.Client.Specs;
using StableSnn.Grains.Model;
using StableSnn.Grains.Search;

namespace StableSnn.Client.Tests;

/// <summary>The spec file's keys come from the records: a setting added to a record is a key, or this fails.</summary>
public class SpecSchemaTests
{
    [Fact]
    public void Every_setting_of_every_spec_record_is_a_key_the_binder_reads()
    {
        var sections = SpecSchema.Sections(typeof(SweepSpec)).ToList();
        Assert.Equal([typeof(SweepSpec), typeof(TrainingSettings), typeof(ResourceRequest), typeof(SearchSpec), typeof(SearchObjective),
            typeof(AshaSettings), typeof(SearchBudget)], sections);
        foreach (var section in sections)
        {
            var settable = section.GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.Equal(settable, SpecSchema.KeysOf(section).Select(k => k.Property.Name).Order(StringComparer.Ordinal));
            if (section != typeof(SweepSpec)) Assert.NotEmpty(SpecSchema.ExampleOf(section)); // the file itself needs none
        }
    }

    [Fact]
    public void Keys_are_spelled_as_in_the_examples()
    {
        Assert.Equal(["name", "datasets", "architectures", "alphas", "neurons", "modes", "seeds", "epochs", "attackSuite", "training",
            "resources", "priority", "maxConcurrency", "maxAttempts", "baselineAlpha", "search"], SpecSchema.KeysOf(typeof(SweepSpec)).Select(k => k.Name));
        Assert.Equal(["measure", "epsilon", "cleanFloor", "pareto"], SpecSchema.KeysOf(typeof(SearchObjective)).Select(k => k.Name));
        Assert.Equal(SpecValue.Space, Assert.Single(SpecSchema.KeysOf(typeof(SearchSpec)), k => k.Name == "space").Value);
    }

    /// <summary>A record with a setting of a type no key can be read as.</summary>
    sealed record WithUnreadable
    {
        public Dictionary<string, int> Weights { get; init; } = [];
    }

    [Fact]
    public void A_setting_the_binder_cannot_read_is_an_error_naming_it()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SpecSchema.KeysOf(typeof(WithUnreadable)));
        Assert.Contains("WithUnreadable.Weights", e.Message);
    }
}
