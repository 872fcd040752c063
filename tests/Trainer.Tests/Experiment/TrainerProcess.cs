using StableSnn.Contracts;
using System.Diagnostics;
using System.Text.Json;
using StableSnn.Trainer.Experiment;

namespace StableSnn.Trainer.Tests.Experiment;

/// <summary>Runs the real trainer executable (built next to the tests) as a node would.</summary>
internal static class TrainerProcess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "StableSnn.Trainer");

    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    public static (int ExitCode, List<ProgressEvent> Events, string Stderr) Run(params string[] args)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var events = ReadEvents(process.StandardOutput).ToList();
        process.WaitForExit();
        return (process.ExitCode, events, stderr.Result);
    }

    public static IEnumerable<ProgressEvent> ReadEvents(StreamReader output)
    {
        while (output.ReadLine() is { } line)
            yield return ProgressEvent.TryParse(line) ?? throw new InvalidDataException($"not a progress line: {line}");
    }

    public static string WriteSpec(string directory, ExperimentSpec spec)
    {
        var path = Path.Combine(directory, "spec.json");
        File.WriteAllText(path, JsonSerializer.Serialize(spec, ExperimentSpec.Json));
        return path;
    }
}
