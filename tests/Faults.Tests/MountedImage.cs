using System.Text.Json;

namespace StableSnn.Faults.Tests;

/// <summary>
/// An image scripts/build-images.sh made, run the way a container runtime would run it, minus the runtime (which these
/// machines cannot start): its filesystem from `podman image mount`, its user, working directory, environment and
/// entrypoint from `podman image inspect`, in a mount and PID namespace of its own (`unshare`), on the host network.
/// </summary>
public sealed class MountedImage : IDisposable
{
    public required string Name { get; init; }
    /// <summary>The image's ID: mounted and unmounted by it, so another run retagging the name meanwhile (two test runs
    /// overlapping, each building the images) changes nothing for this one.</summary>
    public required string Id { get; init; }
    public required string Root { get; init; }
    public required string User { get; init; }
    public required string WorkingDir { get; init; }
    public required IReadOnlyList<string> Entrypoint { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Images are built by scripts/test.sh; a test that needs one fails (never skips) when it is missing.</summary>
    public static MountedImage Mount(string name)
    {
        var (exists, _) = Podman("image", "exists", name);
        if (exists != 0) throw new InvalidOperationException($"image {name} is missing: scripts/build-images.sh builds it (scripts/test.sh runs it)");
        var (found, idOutput) = Podman("image", "inspect", "--format", "{{.Id}}", name);
        if (found != 0) throw new InvalidOperationException($"podman image inspect {name}: {idOutput}");
        var id = idOutput.Trim();
        var (code, inspected) = Podman("image", "inspect", "--format", "{{json .Config}}", id);
        if (code != 0) throw new InvalidOperationException($"podman image inspect {name} ({id}): {inspected}");
        using var config = JsonDocument.Parse(inspected);
        var c = config.RootElement;
        var env = c.TryGetProperty("Env", out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(v => v.GetString()!.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1])
            : [];
        var (mounted, root) = Podman("image", "mount", id);
        if (mounted != 0) throw new InvalidOperationException($"podman image mount {name} ({id}): {root}");
        return new MountedImage
        {
            Name = name, Id = id, Root = root.Trim(), Environment = env,
            User = c.TryGetProperty("User", out var u) ? u.GetString() ?? "" : "",
            WorkingDir = c.TryGetProperty("WorkingDir", out var w) ? w.GetString() ?? "/" : "/",
            Entrypoint = c.TryGetProperty("Entrypoint", out var ep) && ep.ValueKind == JsonValueKind.Array
                ? ep.EnumerateArray().Select(v => v.GetString()!).ToList() : [],
        };
    }

    /// <summary>
    /// Starts the entrypoint with <paramref name="args"/> as the image's user, inside the image's filesystem with
    /// <paramref name="binds"/> (host directory to image path, as volumes are mounted) and the image's environment plus
    /// <paramref name="settings"/> (as a manifest's env adds to it).
    /// </summary>
    public ImageProcess Start(string hostWorkingDirectory, IReadOnlyDictionary<string, string> binds, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var env = new Dictionary<string, string>(Environment);
        env.TryAdd("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        foreach (var (k, v) in settings) env[k] = v;
        // sh (the host's), in the new mount and PID namespaces, gives the image what a runtime gives a container (its
        // own /proc, a minimal /dev with a private /dev/shm, /sys) and bind-mounts the volumes; then chroot becomes the
        // image's user and env (the image's) starts the entrypoint with exactly the image's environment plus settings.
        var script = string.Join(" && ", new[]
            {
                "r=\"$1\"", "shift", "mount -t proc proc \"$r/proc\"", "mount -t tmpfs -o mode=755,nosuid tmpfs \"$r/dev\"",
                "for d in null zero full random urandom tty; do touch \"$r/dev/$d\" && mount --bind \"/dev/$d\" \"$r/dev/$d\" || exit 1; done",
                "ln -s /proc/self/fd \"$r/dev/fd\"", "mkdir \"$r/dev/shm\"", "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs \"$r/dev/shm\"",
                "mount --rbind /sys \"$r/sys\"",
            }
            .Concat(binds.Select((_, i) => $"mount --bind \"${{{2 * i + 1}}}\" \"${{{2 * i + 2}}}\""))
            .Append($"shift {2 * binds.Count}").Append("exec \"$@\""));
        var argv = new List<string> { "--mount", "--pid", "--fork", "--kill-child", "--", "/bin/sh", "-c", script, "sh", Root };
        foreach (var (host, inImage) in binds) { argv.Add(host); argv.Add(Root + inImage); }
        argv.AddRange(["chroot", $"--userspec={User}", Root, "/usr/bin/env", "-i", "-C", WorkingDir]);
        argv.AddRange(env.Select(kv => $"{kv.Key}={kv.Value}"));
        argv.AddRange(Entrypoint);
        argv.AddRange(args);
        return new ImageProcess(RunningProcess.Start("unshare", hostWorkingDirectory, argv));
    }

    public void Dispose() => Podman("image", "unmount", Id);

    static (int Code, string Output) Podman(params string[] args) => Command.Run("podman", args);
}

/// <summary>A process started from an image: `unshare` and, as PID 1 of its own namespace, the entrypoint.</summary>
public sealed class ImageProcess(RunningProcess unshare) : IDisposable
{
    public RunningProcess Process { get; } = unshare;

    /// <summary>The entrypoint's PID as this machine sees it (unshare's only child).</summary>
    public int EntrypointPid
    {
        get
        {
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (true)
            {
                var children = File.ReadAllText($"/proc/{Process.Id}/task/{Process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (children.Length == 1) return int.Parse(children[0]);
                if (DateTime.UtcNow > deadline || Process.HasExited) throw new InvalidOperationException($"no entrypoint under unshare {Process.Id}:\n{Process.Output}");
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>SIGKILL to PID 1 of the namespace: the kernel kills every process in it (the silo and its trainers), as when a pod's node dies.</summary>
    public void KillTree()
    {
        System.Diagnostics.Process.GetProcessById(EntrypointPid).Kill();
        Process.WaitAsync(TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
    }

    /// <summary>SIGTERM to the entrypoint, as a runtime stops a container; waits for it to exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", EntrypointPid.ToString()])) await kill.WaitForExitAsync();
        return await Process.WaitAsync(timeout);
    }

    public void Dispose() => Process.Dispose();
}
