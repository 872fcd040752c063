using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using StableSnn.Contracts;
using StableSnn.Grains.Model;

namespace StableSnn.Grains.Tests;

/// <summary>Contracts' records cross grain calls whole, through Orleans' own serializer (as between silos).</summary>
public class ContractSurrogateTests
{
    static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void Progress_and_the_trainer_spec_arrive_with_every_member()
    {
        var progress = new ProgressEvent { Phase = TrainerPhase.Attack, Epoch = 3, Attack = "PGD-7", Checkpoint = "c/model.bin", Loss = 0.25 };
        Assert.Equal(progress, RoundTrip(progress));

        var spec = new ExperimentSpec { Id = "s/x", Alpha = 0.5, StopAtEpoch = 3, Probe = new RungProbe { Steps = 5 }, TrainSubset = 100 };
        var ticket = RoundTrip(new AttemptTicket(spec, "s/x", 2));
        Assert.Equal(spec.ToJson(), ticket.Spec.ToJson());
        Assert.Equal(3, ticket.Spec.StopAtEpoch);
    }
}
