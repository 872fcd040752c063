using StableSnn.Grains.Model;
using Codes = StableSnn.Trainer.Experiment.ExitCodes;

namespace StableSnn.Silo.Nodes;

/// <summary>The trainer's exit codes as the engine's exit reasons.</summary>
public static class TrainerExitCodes
{
    public static ExitReason ToReason(int exitCode) => exitCode switch
    {
        Codes.Success => ExitReason.Success,
        Codes.BadInput => ExitReason.BadInput,
        Codes.Diverged => ExitReason.Diverged,
        Codes.Environment => ExitReason.Environment,
        Codes.Interrupted => ExitReason.Interrupted,
        _ => ExitReason.Crash, // Codes.Crash, or killed by a signal (128 + n)
    };
}
