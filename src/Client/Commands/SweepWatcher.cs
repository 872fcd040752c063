using Spectre.Console;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;

namespace StableSnn.Client.Commands;

/// <summary>
/// Follows a sweep until nothing more will run: a live view on a terminal, status lines otherwise. A search shows its
/// rungs, best trial and budget instead of an ETA: its trial count grows as it goes, so no ETA would be honest.
/// </summary>
public static class SweepWatcher
{
    static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public static async Task<SweepSnapshot> Follow(IGrainFactory grains, string sweep, CancellationToken cancel)
    {
        var grain = grains.GetGrain<ISweepGrain>(sweep);
        var started = DateTimeOffset.UtcNow;
        var first = await grain.GetSnapshot();
        int doneAtStart = first.Terminal;
        bool search = await grain.GetSearch() is not null;
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await FollowPlain(grains, grain, started, doneAtStart, search, cancel);

        SweepSnapshot snapshot = first;
        await AnsiConsole.Live(new Markup("")).StartAsync(async live =>
        {
            while (!cancel.IsCancellationRequested)
            {
                snapshot = await grain.GetSnapshot();
                live.UpdateTarget(await Render(grains, snapshot, started, doneAtStart, search ? await grain.GetSearch() : null));
                if (snapshot.IsFinished) break;
                await Task.Delay(Poll, cancel).ContinueWith(_ => { });
            }
        });
        return snapshot;
    }

    static async Task<SweepSnapshot> FollowPlain(IGrainFactory grains, ISweepGrain grain, DateTimeOffset started, int doneAtStart, bool search,
        CancellationToken cancel)
    {
        var lastLine = DateTimeOffset.MinValue;
        while (true)
        {
            var s = await grain.GetSnapshot();
            if (s.IsFinished || DateTimeOffset.UtcNow - lastLine > TimeSpan.FromSeconds(10))
            {
                lastLine = DateTimeOffset.UtcNow;
                var running = await RunningLines(grains, s, 3);
                var progress = search ? await grain.GetSearch() : null;
                Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {s.Name}: {Summary(s, progress)}" + (search ? "" : $", ETA {Eta(s, started, doneAtStart)}") +
                    (running.Count > 0 ? "; " + string.Join("; ", running) : ""));
                if (progress is not null)
                    foreach (var line in SearchView.WatchLines(progress)) Console.WriteLine("  " + Markup.Remove(line));
            }
            if (s.IsFinished || cancel.IsCancellationRequested) return s;
            await Task.Delay(Poll, cancel).ContinueWith(_ => { });
        }
    }

    static async Task<Spectre.Console.Rendering.IRenderable> Render(IGrainFactory grains, SweepSnapshot s, DateTimeOffset started, int doneAtStart,
        SearchSnapshot? search)
    {
        double fraction = s.Total == 0 ? 1 : (double)s.Terminal / s.Total;
        var bar = new BreakdownChart().Width(60)
            .AddItem("completed", s.Count(ExperimentPhase.Completed), Color.Green)
            .AddItem("failed", s.Count(ExperimentPhase.Failed), Color.Red)
            .AddItem("cancelled", s.Count(ExperimentPhase.Cancelled), Color.Grey)
            .AddItem("running", s.Running, Color.Yellow)
            .AddItem("waiting", s.Waiting, Color.Blue);
        if (search is not null) bar.AddItem("stopped or paused at a rung", s.Count(ExperimentPhase.Stopped), Color.Purple);
        var rows = new List<Spectre.Console.Rendering.IRenderable>
        {
            new Markup(search is null
                ? $"[bold]{Markup.Escape(s.Name)}[/] {s.Status}: {s.Terminal}/{s.Total} ({fraction:P0}), ETA {Eta(s, started, doneAtStart)}"
                : $"[bold]{Markup.Escape(s.Name)}[/] {s.Status}: {search.Spec.Algorithm} search, {Markup.Escape(Summary(s, search))}"),
            bar,
        };
        if (search is not null) rows.AddRange(SearchView.WatchLines(search).Select(l => new Markup("  " + l)));
        foreach (var line in await RunningLines(grains, s, 8)) rows.Add(new Markup(Markup.Escape("  " + line)));
        return new Rows(rows);
    }

    /// <summary>"key on slot: training, epoch e, n img/s" (or "attacking, ATTACK: attack i/n, step s/S of batch b") for up to <paramref name="max"/> running experiments.</summary>
    public static async Task<List<string>> RunningLines(IGrainFactory grains, SweepSnapshot s, int max)
    {
        var sweep = grains.GetGrain<ISweepGrain>(s.Name);
        var keys = (await sweep.ListExperiments(ExperimentPhase.Training, max))
            .Concat(await sweep.ListExperiments(ExperimentPhase.Attacking, max)).Take(max);
        var lines = new List<string>();
        foreach (var key in keys)
        {
            var e = await grains.GetGrain<IExperimentGrain>(key).GetSnapshot();
            if (e.Attempts.LastOrDefault() is not { } a) continue;
            var doing = e.Phase == ExperimentPhase.Attacking && a.Activity is { } activity
                ? $", {activity}"
                : (a.Epoch is { } ep ? $", epoch {ep}" : "") + (a.ImagesPerSecond is { } ips ? $", {ips:F0} img/s" : "");
            lines.Add($"{GridPoint.SplitKey(key)?.Within ?? key} on {a.Slot}: {e.Phase.ToString().ToLowerInvariant()}{doing}");
        }
        return lines;
    }

    /// <summary>
    /// Experiments per phase; for a search, its trials stopped at a rung and those paused there still eligible (waiting
    /// for their cohort or held within noise: the same phase) beside them, and its total is trials so far.
    /// </summary>
    public static string Summary(SweepSnapshot s, SearchSnapshot? search = null)
    {
        int paused = search?.Trials.Count(t => t.Paused) ?? 0;
        return $"{s.Count(ExperimentPhase.Completed)} completed, {s.Count(ExperimentPhase.Failed)} failed, " +
            $"{s.Count(ExperimentPhase.Cancelled)} cancelled, " +
            (search is null ? "" : $"{s.Count(ExperimentPhase.Stopped) - paused} stopped, {paused} paused at a rung, ") +
            $"{s.Running} running, {s.Waiting} waiting of {s.Total}" + (search is null ? "" : " trials so far");
    }

    static string Eta(SweepSnapshot s, DateTimeOffset started, int doneAtStart)
    {
        int done = s.Terminal - doneAtStart, left = s.Total - s.Terminal;
        if (left == 0) return "done";
        if (done <= 0) return "unknown yet";
        var perExperiment = (DateTimeOffset.UtcNow - started) / done;
        return (perExperiment * left).ToString(@"hh\:mm\:ss");
    }
}
