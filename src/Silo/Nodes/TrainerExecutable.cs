using System.Reflection;

namespace StableSnn.Silo.Nodes;

/// <summary>
/// Where the trainer executable is when Node:TrainerPath is not set: beside the silo (how the images publish it), else
/// where this checkout's build put it. The silo never loads the trainer's assembly (it would drag libtorch along).
/// </summary>
public static class TrainerExecutable
{
    public const string FileName = "StableSnn.Trainer";

    public static string Default
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, FileName);
            if (File.Exists(beside)) return beside;
            var built = typeof(TrainerExecutable).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "TrainerBuildPath")?.Value;
            return built is not null && File.Exists(built) ? built : beside;
        }
    }
}
