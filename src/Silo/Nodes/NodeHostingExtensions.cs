using Microsoft.Extensions.DependencyInjection.Extensions;
using StableSnn.Grains;

namespace StableSnn.Silo.Nodes;

public static class NodeHostingExtensions
{
    /// <summary>The engine's options and this silo's node agent, with the trainer launcher the configuration names.</summary>
    public static IServiceCollection AddStableSnnNode(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EngineOptions>(configuration.GetSection("Engine"));
        services.Configure<NodeOptions>(configuration.GetSection("Node"));
        var trainer = configuration.GetSection("Node")["Trainer"] ?? "process";
        if (trainer == "fake") services.TryAddSingleton<ITrainerLauncher>(new InstantFakeTrainer());
        else services.TryAddSingleton<ITrainerLauncher, ProcessTrainerLauncher>();
        services.AddSingleton<NodeAgent>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeAgent>());
        return services;
    }
}
