using Orleans.TestingHost;

namespace StableSnn.Grains.Tests;

public interface IEchoGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult($"{this.GetPrimaryKeyString()}:{text}");
}

public class TestClusterAnswersTests
{
    [Fact]
    public async Task InProcessClusterRoutesAGrainCallToTheKeyedActivation()
    {
        var builder = new InProcessTestClusterBuilder(1);
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var grain = cluster.Client.GetGrain<IEchoGrain>("slot-7");
        Assert.Equal("slot-7:ping", await grain.Echo("ping"));
        Assert.Equal("slot-8:pong", await cluster.Client.GetGrain<IEchoGrain>("slot-8").Echo("pong"));
    }
}
