using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Serialization;
using StableSnn.Grains.Model;
using StableSnn.Grains.State;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

/// <summary>Grain state survives the storage's JSON even where a value equals its type's default.</summary>
public class StateSerializationTests
{
    [Fact]
    public void Values_equal_to_their_type_default_survive_the_storage_json()
    {
        using var host = Host.CreateDefaultBuilder()
            .UseOrleans(silo => silo.UseStableSnnStorage(StorageOptions.SqliteIn(Path.GetTempPath())))
            .Build();
        var json = host.Services.GetRequiredService<OrleansJsonSerializer>();
        // Index 0 (the first grid point) and Phase Pending (enum value 0) differ from the state's initializers.
        var state = new ExperimentState { Index = 0, Phase = ExperimentPhase.Pending, MaxAttempts = 0 };

        var back = (ExperimentState)json.Deserialize(typeof(ExperimentState), json.Serialize(state, typeof(ExperimentState)))!;

        Assert.Equal(0, back.Index); // was -1 before: the sweep then dropped every notification of grid point 0
        Assert.Equal(ExperimentPhase.Pending, back.Phase);
        Assert.Equal(0, back.MaxAttempts);
    }
}
