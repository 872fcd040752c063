namespace StableSnn.Faults.Tests;

/// <summary>Where in an attempt a trainer is killed.</summary>
public enum KillPoint
{
    /// <summary>After the first epoch's checkpoint, at a random moment of a later epoch's training.</summary>
    Training,
    /// <summary>The moment a checkpoint's temporary folder appears: while model, optimiser and state are being written.</summary>
    CheckpointWrite,
    /// <summary>After the last epoch's checkpoint, at a random moment of evaluation and the attack suite.</summary>
    Attack,
}

/// <summary>What a kill hit: the attempt directory, how many epochs were complete then, whether a write was cut.</summary>
public sealed record Kill(string Directory, KillPoint Point, int CompleteEpochs, bool TornWriteLeft);

/// <summary>
/// SIGKILLs the first trainer of each new attempt directory under a root, one kill point per directory in order of
/// appearance, at seeded random moments. Watches /proc and the directories from outside: nothing in the trainer helps.
/// </summary>
public sealed class TrainerKiller : IAsyncDisposable
{
    readonly string _root;
    readonly Queue<KillPoint> _plan;
    readonly Random _random;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly List<Kill> _kills = [];
    readonly HashSet<string> _seen = [];
    readonly Action<string>? _afterKill;

    /// <param name="afterKill">Run on the attempt directory once its trainer is dead, before the retry can start (the
    /// engine waits at least its retry back-off, 5 s by default): e.g. to damage a checkpoint between attempts.</param>
    public TrainerKiller(string root, IEnumerable<KillPoint> plan, int seed, Action<string>? afterKill = null)
    {
        _root = root;
        _afterKill = afterKill;
        _plan = new Queue<KillPoint>(plan);
        _random = new Random(seed);
        _loop = Task.Run(Loop);
    }

    public IReadOnlyList<Kill> Kills { get { lock (_kills) return [.. _kills]; } }

    async Task Loop()
    {
        var pending = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            foreach (var (pid, dir) in Trainers.Under(_root))
            {
                if (!_seen.Add(dir)) continue; // later attempts of a directory already hit are left alone
                if (_plan.Count == 0) break;
                var point = _plan.Dequeue();
                pending.Add(Task.Run(() => Hit(pid, dir, point)));
            }
            try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
        }
        await Task.WhenAll(pending);
    }

    async Task Hit(int pid, string dir, KillPoint point)
    {
        var checkpoints = Path.Combine(dir, "checkpoints");
        int Complete() => Sweeps.NewestCompleteEpoch(dir);
        bool Alive() => File.Exists($"/proc/{pid}/cmdline");
        switch (point)
        {
            case KillPoint.Training:
                while (Alive() && Complete() < 1) await Task.Delay(5);
                await Task.Delay(_random.Next(50, 400)); // somewhere inside epoch 2
                break;
            case KillPoint.CheckpointWrite:
                // Spin, not sleep: the window is a few milliseconds of writes and fsyncs.
                while (Alive() && !(System.IO.Directory.Exists(checkpoints)
                                    && System.IO.Directory.GetDirectories(checkpoints, "*.tmp-*").Length > 0
                                    && Complete() >= 1)) Thread.SpinWait(2000);
                break;
            case KillPoint.Attack:
                while (Alive() && Complete() < Sweeps.Epochs) await Task.Delay(5);
                await Task.Delay(_random.Next(20, 300)); // evaluation and the quick suite take about a second here
                break;
        }
        if (!Alive()) return; // finished or died first: not a kill of ours
        int complete = Complete();
        Trainers.Kill(pid);
        if (_afterKill is not null)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30); // gone once its node has reaped it, well inside the back-off
            while (Alive() && DateTime.UtcNow < deadline) await Task.Delay(5);
            _afterKill(dir);
        }
        bool torn = System.IO.Directory.Exists(checkpoints) && System.IO.Directory.GetDirectories(checkpoints, "*.tmp-*").Length > 0;
        lock (_kills) _kills.Add(new Kill(dir, point, complete, torn));
    }

    /// <summary>Stops watching and waits for kills in flight; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        await _loop;
    }
}
