using Spectre.Console;
using Spectre.Console.Cli;
using StableSnn.Client.Commands;

// Logs and CI output are not terminals: lines and tables as wide as their content, not wrapped at 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 1000;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("stablesnn");
    config.AddCommand<RunCommand>("run")
        .WithDescription("The main job: submit a sweep spec, watch it to the end, print the table, write CSV, JSON and the alpha plot. Exit 0 only if every experiment completed.")
        .WithExample("run", "examples/quickstart.yaml");
    config.AddCommand<PlanCommand>("plan")
        .WithDescription("Print what a sweep spec would run, without a cluster: a grid's experiments, or a search's trials per rung, finishing trials and cost. Exit 2 if the plan is refused (a search that finishes fewer than two trials).")
        .WithExample("plan", "examples/search-asha.yaml", "--epoch-seconds", "17");
    config.AddCommand<SubmitCommand>("submit").WithDescription("Submit a sweep spec (YAML) and return.");
    config.AddCommand<ListCommand>("list").WithDescription("List sweeps with their progress.");
    config.AddCommand<WatchCommand>("watch").WithDescription("Follow one sweep live: progress, running experiments with slot, epoch and throughput, ETA.");
    config.AddCommand<ResultsCommand>("results").WithDescription("Show the results pivot: one line per grid point; clean, each attack and the worst case with 95% intervals, the test against the baseline alpha, masking flags. --long: one line per grid point and measure.");
    config.AddCommand<ExportCommand>("export").WithDescription("Write results.csv (long format), results.json, the plots, attempts.csv and report.html.");
    config.AddCommand<ReportCommand>("report").WithDescription("Write report.html: one self-contained page with the spec, progress, pivot table, plots, attempts and failures.");
    config.AddCommand<StudyCommand>("study")
        .WithDescription("Write a study's page (README.md and PNGs) from its exported parts, without a cluster: effects of alpha with intervals over seeds and images, paired tests against the baseline with Holm's correction, flags, compute and the answer in one paragraph.")
        .WithExample("study", "examples/studies/fmnist-alpha.yaml");
    config.AddCommand<PlotCommand>("plot").WithDescription("Plot accuracy against alpha as PNG: a panel per architecture x neuron x mode, clean and worst case bold with intervals, attacks thin.");
    config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel a sweep: nothing new starts, running attempts stop.");
    config.AddCommand<PauseCommand>("pause").WithDescription("Pause a sweep: running attempts finish, nothing new starts.");
    config.AddCommand<ResumeCommand>("resume").WithDescription("Resume a paused sweep.");
    config.AddCommand<RetryFailedCommand>("retry-failed").WithDescription("Queue every failed experiment of a sweep again.");
    config.AddCommand<PromoteCommand>("promote").WithDescription("Promote a search trial stopped at a rung (repechage): it resumes from its checkpoint and trains to the next rung.");
    config.AddCommand<SlotsCommand>("slots").WithDescription("List nodes' slots and what each runs.");
    config.AddCommand<ExplainCommand>("explain").WithDescription("Explain an experiment's state: attempts, and why a waiting one waits.");
});
return await app.RunAsync(args);
