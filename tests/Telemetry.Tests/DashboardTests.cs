using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StableSnn.Grains.Interfaces;
using StableSnn.Grains.Model;
using StableSnn.Silo;
using StableSnn.Silo.Nodes;
using Xunit.Abstractions;

namespace StableSnn.Telemetry.Tests;

/// <summary>
/// A real silo (SiloHost, fake trainer, SQLite) runs a sweep to the end while a real Prometheus scrapes its /metrics;
/// then every PromQL expression of deploy/grafana/stablesnn-dashboard.json must return data, so the dashboard cannot
/// drift from the metric names.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output)
{
    const string Sweep = "telemetry-test", Search = "telemetry-search";
    static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_dashboard_query_returns_data_from_a_real_prometheus_scraping_a_real_silo()
    {
        var dashboardPath = Path.Combine(RepositoryRoot(), "deploy", "grafana", "stablesnn-dashboard.json");
        var queries = DashboardQueries(await File.ReadAllTextAsync(dashboardPath));
        Assert.True(queries.Count >= 10, $"expected the dashboard's queries, found {queries.Count}");

        var data = Directory.CreateTempSubdirectory("stablesnn-telemetry-").FullName;
        int http = PrometheusServer.FreePort();
        // Every third grid point crashes on its first attempt: failures and retries are real, not only initialised.
        var trainer = new InstantFakeTrainer((lease, attempt) => lease.Index % 3 == 0 && attempt == 1 ? FakeAction.Crash : FakeAction.Succeed);
        var app = SiloHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "sqlite",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(data, "silo.db")}",
                ["Storage:ServiceId"] = "telemetry-test",
                ["Network:SiloPort"] = PrometheusServer.FreePort().ToString(),
                ["Network:GatewayPort"] = PrometheusServer.FreePort().ToString(),
                ["Node:Name"] = "telemetry-node",
                ["Node:Trainer"] = "fake",
                ["Node:CpuSlots"] = "4",
                ["Node:ThreadsPerCpuSlot"] = "1",
                ["Node:ReportInterval"] = "00:00:00.100",
                ["Node:ArtifactRoot"] = Path.Combine(data, "artifacts"),
                ["Engine:RetryBaseDelay"] = "00:00:00.050",
                ["Engine:RetryMaxDelay"] = "00:00:00.200",
                ["Engine:SweepFlushInterval"] = "00:00:00.200",
            });
            builder.WebHost.UseUrls($"http://127.0.0.1:{http}");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<ITrainerLauncher>(trainer);
        });
        try
        {
            using (var start = new CancellationTokenSource(TimeSpan.FromMinutes(2))) await app.StartAsync(start.Token);
            await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{http}", "stablesnn-silo");
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/") };

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/startup")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/live")).StatusCode);

            var grains = app.Services.GetRequiredService<IGrainFactory>();
            var sweep = grains.GetGrain<ISweepGrain>(Sweep);
            var spec = new SweepSpec
            {
                Name = Sweep, Datasets = ["fashion-mnist"], Architectures = ["small-cnn", "vgg5"], Neurons = ["lif", "dlif"],
                Modes = ["raw", "at"], Alphas = [0, 0.5, 1], Seeds = [1, 2], Epochs = 1, AttackSuite = "none", MaxAttempts = 3,
            };
            await sweep.Submit(spec);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            SweepSnapshot snapshot;
            while (!(snapshot = await sweep.GetSnapshot()).IsFinished)
            {
                Assert.True(DateTime.UtcNow < deadline, $"sweep did not finish: {string.Join(",", snapshot.Counts)} {snapshot.Status}");
                await Task.Delay(100);
            }
            Assert.Equal(48, snapshot.Count(ExperimentPhase.Completed));

            // An ASHA search beside the grid, for the search panels (the fake trainer pauses at rungs like the real one).
            var search = grains.GetGrain<ISweepGrain>(Search);
            await search.Submit(spec with
            {
                Name = Search, Architectures = ["small-cnn"], Neurons = ["dlif"], Modes = ["at"], Alphas = [], Seeds = [1], Epochs = 9,
                Search = new Grains.Search.SearchSpec { Algorithm = "asha", Budget = new() { Experiments = 9 } },
            });
            while (!(snapshot = await search.GetSnapshot()).IsFinished)
            {
                Assert.True(DateTime.UtcNow < deadline.AddSeconds(30), $"search did not finish: {string.Join(",", snapshot.Counts)} {snapshot.Status}");
                await Task.Delay(100);
            }
            var searched = (await search.GetSearch())!;

            var metrics = await client.GetStringAsync("metrics");
            Assert.Contains("\norleans_", metrics);
            Assert.Matches(new Regex(@"^dotnet_\w+", RegexOptions.Multiline), metrics); // .NET runtime ("System.Runtime" meter)
            Assert.Contains("stablesnn_experiments{", metrics);

            // Every expression of the dashboard, with the variables bound to this sweep and dataset.
            var failures = new List<string>();
            var queryDeadline = DateTime.UtcNow + QueryTimeout; // one budget for all: scrapes are every second
            foreach (var query in queries)
            {
                var promql = query.Replace("$sweep", $"{Sweep}|{Search}").Replace("${sweep}", $"{Sweep}|{Search}")
                    .Replace("$dataset", "fashion-mnist").Replace("${dataset}", "fashion-mnist")
                    .Replace("$__rate_interval", "30s").Replace("$__interval", "5s").Replace("$__range", "5m");
                var result = await PollForData(prometheus, promql, queryDeadline);
                output.WriteLine($"{(result is null ? "EMPTY" : "ok   ")} {promql}  {result}");
                if (result is null) failures.Add(promql);
            }
            Assert.True(failures.Count == 0, $"dashboard queries without data after {QueryTimeout.TotalSeconds} s:\n" +
                string.Join("\n", failures) + $"\n--- /metrics (stablesnn) ---\n" +
                string.Join("\n", metrics.Split('\n').Where(l => l.StartsWith("stablesnn_", StringComparison.Ordinal)).Where(l => !l.StartsWith("stablesnn_robust", StringComparison.Ordinal)).Take(80)));

            // The values mean what the doc says.
            Assert.Equal(1.0, Scalar(await prometheus.Query($"stablesnn_sweep_progress_ratio{{sweep=\"{Sweep}\"}}")));
            Assert.Equal(48.0, Scalar(await prometheus.Query($"stablesnn_experiments{{sweep=\"{Sweep}\",phase=\"completed\"}}")));
            Assert.Equal(48.0 + 16, Scalar(await prometheus.Query($"sum(stablesnn_attempts_started_total{{sweep=\"{Sweep}\"}})")));
            Assert.Equal(16.0, Scalar(await prometheus.Query($"sum(stablesnn_attempts_failed_total{{sweep=\"{Sweep}\",reason=\"crash\"}})")));
            Assert.Equal(16.0, Scalar(await prometheus.Query($"sum(stablesnn_attempts_retried_total{{sweep=\"{Sweep}\"}})")));
            // 24 grid points (seeds averaged) x (clean + one attack).
            Assert.Equal(48.0, Scalar(await prometheus.Query($"count(stablesnn_robust_accuracy_ratio{{sweep=\"{Sweep}\"}})")));
            Assert.Equal(4.0, Scalar(await prometheus.Query("sum(stablesnn_slots{node=\"telemetry-node\"})")));
            Assert.Equal(9.0, Scalar(await prometheus.Query($"stablesnn_search_trials_total{{sweep=\"{Search}\",decision=\"proposed\"}}")));
            Assert.Equal(searched.Trials.Sum(t => t.Rungs.Length),
                Scalar(await prometheus.Query($"sum(stablesnn_search_trials_total{{sweep=\"{Search}\",decision=~\"promoted|stopped|held|paused|completed\"}})")) -
                searched.Trials.Sum(t => t.Decisions.Count(d => d.Contains(" when ") || d.Contains("end of the budget")))); // decisions without a report of their own
            Assert.Equal(searched.Best!.Objective!.Robust, Scalar(await prometheus.Query($"stablesnn_search_best_objective_ratio{{sweep=\"{Search}\"}}")), 9);
        }
        finally
        {
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await app.StopAsync(stop.Token);
            await app.DisposeAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Prometheus_binary_is_installed() => Assert.True(File.Exists(PrometheusServer.FindBinary()));

    /// <summary>Every "expr" in the dashboard, and each label_values(metric, label) variable as the query "metric".</summary>
    static List<string> DashboardQueries(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var found = new List<string>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "expr" && p.Value.ValueKind == JsonValueKind.String) found.Add(p.Value.GetString()!);
                    else Walk(p.Value);
                }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray()) Walk(item);
        }
        Walk(doc.RootElement);
        foreach (var variable in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var query = variable.TryGetProperty("query", out var q)
                ? q.ValueKind == JsonValueKind.Object && q.TryGetProperty("query", out var inner) ? inner.GetString() : q.ValueKind == JsonValueKind.String ? q.GetString() : null
                : null;
            if (query is not null && Regex.Match(query, @"^label_values\((.+),\s*\w+\)$") is { Success: true } m) found.Add(m.Groups[1].Value);
        }
        return found.Distinct().ToList();
    }

    static async Task<string?> PollForData(PrometheusServer prometheus, string promql, DateTime deadline)
    {
        while (true)
        {
            var result = await prometheus.Query(promql);
            if (result.ValueKind == JsonValueKind.Array && result.GetArrayLength() > 0) return result.GetRawText()[..Math.Min(200, result.GetRawText().Length)];
            if (DateTime.UtcNow > deadline) return null;
            await Task.Delay(500);
        }
    }

    static double Scalar(JsonElement vector)
    {
        Assert.Equal(1, vector.GetArrayLength());
        return double.Parse(vector[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StableSnn.sln"))) return dir.FullName;
        throw new InvalidOperationException("StableSnn.sln not found above " + AppContext.BaseDirectory);
    }
}
