using StableSnn.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>Builds attacks from <see cref="AttackConfig"/> data.</summary>
public static class AttackFactory
{
    /// <param name="sourceModels">Loads the source model of a transfer attack from its checkpoint name.</param>
    public static IAttack Create(AttackConfig config, Func<string, nn.Module<Tensor, Tensor>>? sourceModels = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Surrogate?.Validate() is { Count: > 0 } problems)
            throw new ArgumentException($"attack '{config.Name}': {string.Join("; ", problems)}", nameof(config));
        IAttack attack = config.Kind switch
        {
            AttackKind.Fgsm => new Fgsm(config.Epsilon, config.Name),
            AttackKind.Pgd => new Pgd(config.Epsilon, config.Steps, config.StepSize, config.RandomStart, config.Loss, config.Name),
            AttackKind.Apgd => new Apgd(config.Epsilon, config.Steps, config.Loss, config.Rho, config.Restarts, config.Name,
                config.TargetClasses > 0 ? config.TargetClasses : Apgd.StandardTargets, config.Step),
            AttackKind.RFgsm => new RFgsm(config.Epsilon, config.StepSize > 0 ? config.StepSize : null, config.Name),
            AttackKind.Gaussian => new GaussianNoise(config.Sigma, config.Name),
            AttackKind.Transfer => CreateTransfer(config, sourceModels),
            AttackKind.Square => new SquareAttack(config.Epsilon, config.Steps, config.PInit, config.Name, config.RescaleSchedule),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "Unknown attack kind."),
        };
        // Only gradient attacks differentiate; a transfer's inner attack was wrapped when it was created.
        var usesGradient = config.Kind is AttackKind.Fgsm or AttackKind.Pgd or AttackKind.Apgd or AttackKind.RFgsm;
        return config.Surrogate is { } surrogate && usesGradient ? new SurrogateAttack(attack, surrogate) : attack;
    }

    private static Transfer CreateTransfer(AttackConfig config, Func<string, nn.Module<Tensor, Tensor>>? sourceModels)
    {
        if (string.IsNullOrWhiteSpace(config.SourceCheckpoint))
            throw new ArgumentException($"Transfer attack '{config.Name}' names no SourceCheckpoint.", nameof(config));
        if (sourceModels is null)
            throw new ArgumentException(
                $"Transfer attack '{config.Name}' needs a source model for '{config.SourceCheckpoint}', but no source-model loader was supplied.",
                nameof(sourceModels));
        var innerKind = config.InnerKind ?? AttackKind.Pgd;
        if (innerKind == AttackKind.Transfer)
            throw new ArgumentException($"Transfer attack '{config.Name}' cannot nest another transfer.", nameof(config));
        var inner = Create(config with { Kind = innerKind, InnerKind = null, SourceCheckpoint = null });
        return new Transfer(inner, sourceModels(config.SourceCheckpoint), config.Name);
    }
}
