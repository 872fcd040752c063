using System.Diagnostics;
using System.Net.Http;
using System.Text.RegularExpressions;
using StableSnn.TestSupport;
using Xunit.Abstractions;

namespace StableSnn.Faults.Tests;

/// <summary>
/// The operator's path from the images themselves: PostgreSQL, two silos and the client, each started from its image's
/// filesystem as the image's user with its entrypoint and environment (plus settings as the manifests give them), on
/// the host network with loopback ports. A real sweep; one silo SIGKILLed with its whole process tree while it trains;
/// the sweep completes once per experiment; the other silo stops gracefully and, restarted, still lists it.
/// </summary>
public sealed class ImageClusterTests(ITestOutputHelper output)
{
    const string Volume = "/artifacts"; // the shared volume every silo (and the CLI pod) mounts

    [Fact]
    public async Task ImagesRunASweepThroughASiloKillAndAGracefulRestart()
    {
        var images = ImageNames.Read();
        using var silo = MountedImage.Mount(images.SiloCpu);
        using var client = MountedImage.Mount(images.Client);
        Assert.Equal($"{images.Uid}:{images.Uid}", silo.User);
        Assert.Equal(silo.User, client.User);

        using var toy = new ToyMnist();
        using var work = new TempDirectory();
        var volume = work.File("volume");
        CopyDirectory(toy.Root, Path.Combine(volume, "datasets", "mnist"));
        File.WriteAllText(Path.Combine(volume, "pair.yaml"), Sweeps.Spec("pair", $"{Volume}/datasets/mnist", [0, 0.5, 1, 2, 4, 8]));
        Run("chown", "-R", silo.User, volume); // as fsGroup makes a pod's volume the silo user's
        await using var database = await PrivatePostgres.StartAsync();

        var clock = Stopwatch.StartNew();
        var timeline = new List<string>();
        void Mark(string what) { timeline.Add($"{clock.Elapsed:mm\\:ss} {what}"); output.WriteLine(timeline[^1]); }

        var a = Node.Start(silo, "node-a", database.ConnectionString, volume, work.File("tmp-a"));
        var b = Node.Start(silo, "node-b", database.ConnectionString, volume, work.File("tmp-b"));
        try
        {
            await a.WaitReadyAsync();
            await b.WaitReadyAsync();
            Mark("both silos ready (/health/ready)");
            var (exit, text) = await Cli(client, volume, work, "submit", $"{Volume}/pair.yaml", "--cluster", a.Gateway);
            Assert.True(exit == 0, text);
            Mark("sweep submitted by the client image");

            // A trainer of node b has checkpointed an epoch: look at it, then kill b's whole namespace.
            (int Pid, string Out) cutOff = default;
            await Until(() => (cutOff = Trainers.Running().FirstOrDefault(t => t.Out.StartsWith(Volume + "/", StringComparison.Ordinal)
                && ParentOf(t.Pid) == b.Process.EntrypointPid && Sweeps.NewestCompleteEpoch(HostPath(volume, t.Out)) >= 1)).Pid != 0,
                "a trainer of node-b checkpointed an epoch", TimeSpan.FromMinutes(4), b);
            AssertTrainerIsTheImages(cutOff.Pid, silo);
            var cutOffDir = HostPath(volume, cutOff.Out!);
            int checkpointed = Sweeps.NewestCompleteEpoch(cutOffDir);
            await AssertMetricsServed(a, b);
            b.Process.KillTree();
            Mark($"node-b killed (SIGKILL to its namespace) with its trainer at epoch {checkpointed} of {cutOff.Out}");
            Assert.DoesNotContain(Trainers.Running(), t => t.Pid == cutOff.Pid); // the trainer went down with its silo

            string list = "";
            await Until(() => Regex.IsMatch(list = Cli(client, volume, work, "list", "--cluster", a.Gateway).Result.Output, @"pair\s*│\s*Completed"),
                "the sweep completed on node-a", TimeSpan.FromMinutes(6), a, () => list);
            Mark("sweep completed on node-a");
            (exit, text) = await Cli(client, volume, work, "export", "pair", "--cluster", a.Gateway, "--out", $"{Volume}/out");
            Assert.True(exit == 0, text);
            foreach (var attempt in Sweeps.Attempts(Path.Combine(volume, "out"))) output.WriteLine(attempt.ToString());
            var results = Sweeps.AssertEachCompletedOnce(Path.Combine(volume, "out"), Path.Combine(volume, "runs"), experiments: 6);
            Assert.True(results[cutOffDir].ResumedFromEpoch >= checkpointed, $"resumed from {results[cutOffDir].ResumedFromEpoch}, {checkpointed} checkpointed");
            Mark("results exported: each experiment completed once");

            Assert.True(await a.Process.StopAsync(TimeSpan.FromMinutes(1)) is var code && code is 0, $"node-a exited {code} on SIGTERM:\n{a.Process.Process.Output}");
            Mark("node-a stopped gracefully (SIGTERM)");
            a.Dispose();
            a = a.Restart();
            await a.WaitReadyAsync();
            (exit, text) = await Cli(client, volume, work, "list", "--cluster", a.Gateway);
            Assert.Matches(@"pair\s*│\s*Completed", text);
            (exit, text) = await Cli(client, volume, work, "export", "pair", "--cluster", a.Gateway, "--out", $"{Volume}/out-again");
            Assert.True(exit == 0, text);
            Assert.Equal(File.ReadAllText(Path.Combine(volume, "out", "results.csv")), File.ReadAllText(Path.Combine(volume, "out-again", "results.csv")));
            Mark("node-a restarted: the finished sweep is listed and exports the same results");

            // Nothing the image's user ran wrote into the image itself (only the volume and /tmp are theirs).
            var written = Run("find", silo.Root, client.Root, "-xdev", "-user", images.Uid.ToString(), "-not", "-path", silo.Root + Volume, "-not", "-path", client.Root + Volume);
            Assert.True(written.Trim() == "", $"written inside an image: {written}");
        }
        catch
        {
            foreach (var alpha in new[] { "0", "0.5", "1", "2", "4", "8" })
                output.WriteLine((await Cli(client, volume, work, "explain", $"pair/mnist/small-cnn/dlif/raw/a{alpha}/s42", "--cluster", a.Gateway)).Output);
            output.WriteLine($"--- node-a\n{a.Process.Process.Output}\n--- node-b\n{b.Process.Process.Output}");
            throw;
        }
        finally
        {
            output.WriteLine(string.Join("\n", timeline));
            a.Dispose();
            b.Dispose();
        }
    }

    /// <summary>The trainer runs as the image's non-root user, from /app, with libtorch and tcmalloc loaded from the image.</summary>
    void AssertTrainerIsTheImages(int pid, MountedImage image)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        var uid = status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(uid.Skip(1), id => Assert.Equal(image.User.Split(':')[0], id));
        var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        Assert.Equal("/app/StableSnn.Trainer", cmdline[0]);
        var maps = File.ReadAllLines($"/proc/{pid}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()).Distinct().ToList();
        // The kernel names mapped files by their path in podman's storage (the image's layers), never the host's copies.
        var storage = Path.GetDirectoryName(Path.GetDirectoryName(image.Root))!;
        bool FromImage(string mapped, string pathInImage) => mapped.StartsWith(storage + "/", StringComparison.Ordinal) && mapped.Contains(pathInImage, StringComparison.Ordinal);
        Assert.Contains(maps, m => FromImage(m, "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4")); // .so.4 links to .so.4.x
        Assert.Contains(maps, m => FromImage(m, "/app/libtorch_cpu.so"));
        output.WriteLine($"trainer {pid}: uid {string.Join('/', uid.Skip(1))}, {cmdline[0]}, maps {string.Join(", ", maps.Where(m => m.Contains("tcmalloc") || m.Contains("libtorch_cpu")))}");
    }

    /// <summary>Each silo serves /metrics with its slots; the engine's gauges appear on the silo that hosts the sweep.</summary>
    static async Task AssertMetricsServed(params Node[] nodes)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var scraped = new string[nodes.Length];
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            for (int i = 0; i < nodes.Length; i++) scraped[i] = await http.GetStringAsync($"http://127.0.0.1:{nodes[i].HttpPort}/metrics");
            if (scraped.All(m => m.Contains("stablesnn_slots{", StringComparison.Ordinal)) && scraped.Any(m => m.Contains("stablesnn_experiments{", StringComparison.Ordinal)))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"no stablesnn_slots on every silo and stablesnn_experiments on one within a minute:\n{string.Join("\n---\n", scraped)}");
            await Task.Delay(500);
        }
    }

    static async Task<(int Exit, string Output)> Cli(MountedImage client, string volume, TempDirectory work, params string[] args)
    {
        var tmp = work.File($"tmp-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        Run("chown", client.User, tmp);
        using var cli = client.Start(work.Path, new Dictionary<string, string> { [volume] = Volume, [tmp] = "/tmp" }, new Dictionary<string, string> { ["COLUMNS"] = "200" }, args);
        int exit = await cli.Process.WaitAsync(TimeSpan.FromMinutes(3));
        return (exit, cli.Process.Output);
    }

    static string HostPath(string volume, string inImage) => Path.Combine(volume, inImage[(Volume.Length + 1)..]);

    static int ParentOf(int pid)
    {
        try { return int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ')[1]); }
        catch (IOException) { return 0; }
    }

    static async Task Until(Func<bool> condition, string what, TimeSpan timeout, Node node, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline || node.Process.Process.HasExited)
                throw new TimeoutException($"not reached in {timeout} (node {node.Name} exited: {node.Process.Process.HasExited}): {what}\n{detail?.Invoke()}");
            await Task.Delay(200);
        }
    }

    static string Run(string file, params string[] args) => Command.Check(file, args);

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    /// <summary>A silo from the image, configured through environment variables as the manifests configure a pod.</summary>
    sealed class Node : IDisposable
    {
        public required string Name { get; init; }
        public required int HttpPort { get; init; }
        public required int GatewayPort { get; init; }
        public required ImageProcess Process { get; init; }
        public required Func<Node> Restart { get; init; }
        public string Gateway => $"127.0.0.1:{GatewayPort}";

        public static Node Start(MountedImage image, string name, string connectionString, string volume, string tmp)
        {
            Directory.CreateDirectory(tmp);
            Run("chown", image.User, tmp);
            int siloPort = Ports.Free(), gateway = Ports.Free(), http = Ports.Free();
            // Storage__Provider, the artifact root and HTTP on 8080 come from the image; HTTP moves to loopback and a
            // port of this test's. The lease is long enough that a starved heartbeat on a crowded machine is not taken
            // for a dead node (the kill is still noticed within it); the build-tree cluster test uses 5 s.
            var settings = SiloProcess.ClusterSettings(name, connectionString, siloPort, gateway, lease: TimeSpan.FromSeconds(20));
            settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}";
            Node Launch() => new()
            {
                Name = name, HttpPort = http, GatewayPort = gateway, Restart = Launch,
                Process = image.Start(tmp, new Dictionary<string, string> { [volume] = Volume, [tmp] = "/tmp" }, settings),
            };
            return Launch();
        }

        public async Task WaitReadyAsync()
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Until(() =>
            {
                try { return client.GetAsync($"http://127.0.0.1:{HttpPort}/health/ready").Result.IsSuccessStatusCode; }
                catch (AggregateException) { return false; }
            }, $"{Name} ready (/health/ready)", TimeSpan.FromMinutes(3), this, () => Process.Process.Output);
        }

        public void Dispose() => Process.Dispose();
    }
}

/// <summary>deploy/images/images.env: the names and user scripts/build-images.sh gives the images.</summary>
sealed record ImageNames(string SiloCpu, string Client, int Uid)
{
    public static ImageNames Read()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StableSnn.sln"))) dir = dir.Parent;
        var file = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "deploy", "images", "images.env");
        var values = File.ReadAllLines(file).Where(l => l.Contains('=') && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        return new($"localhost/{values["SILO_CPU_IMAGE"]}:{values["IMAGE_TAG"]}", $"localhost/{values["CLIENT_IMAGE"]}:{values["IMAGE_TAG"]}", int.Parse(values["APP_UID"]));
    }
}
