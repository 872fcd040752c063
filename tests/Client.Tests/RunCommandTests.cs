using System.Text.Json;
using StableSnn.Client.Results;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

/// <summary>`stablesnn run` end to end: embedded silo, real trainer processes, files on disk.</summary>
public class RunCommandTests
{
    [Fact]
    public void RunsATinyGridThroughTheEmbeddedSiloAndWritesTableCsvJsonAndPlot()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        File.WriteAllText(work.File("tiny.yaml"), $"""
            name: tiny
            datasets: [mnist]
            architectures: [small-cnn]
            neurons: [lif, dlif]
            modes: [raw]
            alphas: [0, 1]
            epochs: 1
            attackSuite: quick
            training:
              dataRoot: {toy.Root}
              batchSize: 32
              timeSteps: 4
              validationFraction: 0.25
              attackSubset: 32
            """);

        // Two slots of one thread each (the layout docs/slot-sizing.md recommends for small networks on CPU nodes).
        var (exit, output) = CliProcess.Run(work.Path, "run", "tiny.yaml", "--data-dir", "state", "--out", "out",
            "--cpu-slots", "2", "--threads-per-slot", "1");

        Assert.True(exit == 0, output);
        Assert.Contains("4 completed, 0 failed", output);
        // The embedded silo's log keeps Information and above, not Orleans' debug and verbose chatter.
        var log = File.ReadAllLines(work.File("state/logs/stablesnn.log"));
        Assert.Contains(log, l => l.Contains("[INF]", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("[VRB]", StringComparison.Ordinal) || l.Contains("[DBG]", StringComparison.Ordinal));
        var csv = File.ReadAllLines(work.File("out/results.csv"));
        Assert.Equal(ResultsExport.CsvHeader, csv[0]);
        Assert.Equal(4 * 8, csv.Length - 1); // 4 experiments x (clean + worst case + 5 quick attacks + sanity)
        Assert.Equal(4, csv.Count(l => l.Split(',')[7] == "worst-case"));
        // The console pivot: a column per measure (the quick suite's attacks at 8/255, then the worst case), one line per grid point.
        Assert.Matches(@"│ clean\s+│ FGSM-8 8/255\s+│.*│ worst-case 8/255\s+│ masking flags", output);
        Assert.Equal(4, output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^│ mnist small-cnn (lif|dlif) raw\s+│ [01] ")));
        Assert.Contains("95% interval", output);
        using var json = JsonDocument.Parse(File.ReadAllText(work.File("out/results.json")));
        Assert.Equal(4, json.RootElement.GetProperty("experiments").GetArrayLength());
        var png = File.ReadAllBytes(work.File("out/robustness-vs-alpha.png"));
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        // One finished attempt per experiment on the timeline, and a utilisation line that adds up.
        var attempts = File.ReadAllLines(work.File("out/attempts.csv"));
        Assert.Equal(ResultsExport.AttemptsHeader, attempts[0]);
        Assert.Equal(4, attempts.Skip(1).Count(l => l.EndsWith(",Success")));
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(work.File("out/slot-timeline.png"))[..4]);
        Assert.Matches(@"slots busy \d+\.\d% of \d+:\d\d \(4 attempts on 2 slots", output);
        Assert.Equal(2, File.ReadAllLines(work.File("out/attempts.csv")).Skip(1).Select(l => l.Split(',')[3]).Distinct().Count());
        // report.html beside results.csv: one self-contained page, one pivot row per grid point.
        var report = File.ReadAllText(work.File("out/report.html"));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", report);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(report, "<tr data-point=").Count);
        Assert.Contains("data-measure=\"worst-case 8/255\"", report);

        // `stablesnn report` writes the same page from the stored sweep.
        var (reportExit, reportOutput) = CliProcess.Run(work.Path, "report", "tiny", "--data-dir", "state", "--out", "rep");
        Assert.True(reportExit == 0, reportOutput);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(work.File("rep/report.html")), "<tr data-point=").Count);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(work.File("out/clean-vs-robust.png"))[..4]);
        Assert.False(File.Exists(work.File("out/robustness-vs-epsilon.png"))); // the quick suite has one epsilon

        // `results --long`: one line per grid point and measure (clean, worst case, 5 attacks).
        var (longExit, longOutput) = CliProcess.Run(work.Path, "results", "tiny", "--long", "--data-dir", "state");
        Assert.True(longExit == 0, longOutput);
        Assert.Matches(@"│ grid point\s+│ alpha\s+│ measure\s+│ eps", longOutput);
        Assert.Equal(4 * 7, longOutput.Split('\n').Count(l => l.StartsWith("│ mnist small-cnn")));

        // Started again on the same state, the finished sweep is picked up, not rerun.
        var (again, secondOutput) = CliProcess.Run(work.Path, "run", "tiny.yaml", "--data-dir", "state", "--out", "out2");
        Assert.True(again == 0, secondOutput);
        Assert.Contains("(4 already finished)", secondOutput);
    }

    [Fact]
    public void AnInterruptedRunResumesTheSameSweepWhenStartedAgain()
    {
        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        File.WriteAllText(work.File("resume.yaml"), $"""
            name: resume
            datasets: [mnist]
            architectures: [small-cnn]
            neurons: [lif, dlif]
            modes: [raw]
            alphas: [0, 0.5, 1, 2]
            epochs: 2
            attackSuite: none
            training:
              dataRoot: {toy.Root}
              batchSize: 32
              timeSteps: 4
            """);

        // Kill the whole process tree (CLI, embedded silo, trainer) once at least one experiment has completed.
        using (var first = CliProcess.Start(work.Path, "run", "resume.yaml", "--data-dir", "state", "--out", "out"))
        {
            while (first.StandardOutput.ReadLine() is { } line && !System.Text.RegularExpressions.Regex.IsMatch(line, @"[1-6] completed")) { }
            Thread.Sleep(2500); // past the sweep's periodic flush (1 s), so its progress is on disk
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }

        var (exit, output) = CliProcess.Run(work.Path, "run", "resume.yaml", "--data-dir", "state", "--out", "out");
        Assert.True(exit == 0, output);
        Assert.Matches(@"\([1-7] already finished\)", output); // picked up again, not submitted anew
        Assert.Contains("8 completed, 0 failed", output);
    }

    [Fact]
    public void MissingSpecIsRefusedWithExitTwoAndNothingStarts()
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, "run", "nope.yaml", "--data-dir", "state");
        Assert.Equal(2, exit);
        Assert.Contains("nope.yaml", output);
        Assert.False(Directory.Exists(work.File("state")), "no silo should have started");
    }

    [Fact]
    public void DataDirNamingAFileIsRefusedWithExitTwo()
    {
        using var work = new TempDirectory();
        File.WriteAllText(work.File("state"), "not a directory");
        var (exit, output) = CliProcess.Run(work.Path, "list", "--data-dir", "state");
        Assert.Equal(2, exit);
        Assert.Contains("--data-dir:", output);
        Assert.Contains("is a file; give a directory", output);
        Assert.DoesNotContain("   at ", output); // one line naming the cause and the fix, no stack trace
        Assert.Equal("not a directory", File.ReadAllText(work.File("state")));
    }

    [Fact]
    public void AnUnreachableClusterIsOneErrorLineWithTheLogFileAndNoStackTrace()
    {
        using var work = new TempDirectory();
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; // free once closed: nothing listens there
        }
        var (exit, output) = CliProcess.Run(work.Path, "list", "--cluster", $"127.0.0.1:{port}", "--data-dir", "state");
        Assert.Equal(2, exit);
        Assert.Contains($"cannot reach an Orleans gateway at 127.0.0.1:{port}", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("warn:", output);
        var log = work.File("state/logs/stablesnn.log");
        Assert.Contains(log, output);
        Assert.Contains("ConnectionRefused", File.ReadAllText(log)); // the details are in the file
    }

    [Fact]
    public void NegativeAlphaAndUnknownArchitectureAreNamed()
    {
        using var work = new TempDirectory();
        File.WriteAllText(work.File("bad.yaml"), "name: bad\ndatasets: [fashion-mnist]\narchitectures: [resnet50]\nalphas: [-1]\n");
        var (exit, output) = CliProcess.Run(work.Path, "submit", "bad.yaml");
        Assert.Equal(2, exit);
        Assert.Contains("architectures", output);
        Assert.Contains("alphas", output);
    }

    [Fact]
    public void UnreachableClusterIsReportedWithTheAddress()
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, "list", "--cluster", "127.0.0.1:1");
        Assert.Equal(2, exit);
        Assert.Contains("127.0.0.1:1", output);
    }

    [Theory]
    [InlineData("--cpu-slots", "0")]
    [InlineData("--threads-per-slot", "0")]
    [InlineData("--threads-per-slot", "-2")]
    public void SlotLayoutBelowOneIsRefusedNamingTheOption(string option, string value)
    {
        using var work = new TempDirectory();
        var (exit, output) = CliProcess.Run(work.Path, "slots", option, value, "--data-dir", "state");
        Assert.NotEqual(0, exit);
        Assert.Contains($"{option}: {value}", output);
        Assert.False(Directory.Exists(work.File("state")), "a refused option must not start the embedded silo");
    }
}
