using StableSnn.Grains.Model;

namespace StableSnn.Silo.Nodes;

/// <summary>The trainer's exit codes (src/Trainer/Experiment/ExitCodes.cs) as the engine's exit reasons.</summary>
public static class TrainerExitCodes
{
    public static ExitReason ToReason(int exitCode) => exitCode switch
    {
        0 => ExitReason.Success,
        2 => ExitReason.BadInput,
        3 => ExitReason.Diverged,
        4 => ExitReason.Environment,
        130 => ExitReason.Interrupted,
        _ => ExitReason.Crash, // 1, or killed by a signal (128 + n)
    };
}
