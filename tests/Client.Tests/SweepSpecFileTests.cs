using StableSnn.Grains.Policy;
using StableSnn.Grains.Search;
using StableSnn.Client.Specs;
using StableSnn.TestSupport;

namespace StableSnn.Client.Tests;

public sealed class SweepSpecFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string yaml, string name = "sweep.yaml")
    {
        var path = _dir.File(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    private IReadOnlyList<string> Errors(string yaml, int maxExperiments = 100_000)
    {
        var path = Write(yaml);
        var e = Assert.Throws<SpecFileException>(() => SweepSpecFile.Load(path, maxExperiments));
        Assert.Equal(path, e.Path);
        foreach (var error in e.Errors) Assert.Contains(error, e.Message);
        return e.Errors;
    }

    private const string Minimal = """
        name: demo
        datasets: [fashion-mnist]
        architectures: [small-cnn]
        alphas: [0, 0.5]

        """;

    [Fact]
    public void Full_file_sets_every_field()
    {
        var spec = SweepSpecFile.Load(Write("""
            # every key
            name: full-sweep
            datasets: [fashion-mnist, mnist]
            architectures:
              - small-cnn
              - vgg5
            alphas: [0, 0.25, 1e-3]
            neurons: [lif, dlif]
            modes: [raw, at-reg]
            seeds: [1, 2, 3]
            epochs: 7
            attackSuite: quick
            training:
              dataRoot: /srv/data
              batchSize: 32
              learningRate: 0.01
              trainSubset: 1000
              testSubset: 200
              validationFraction: 0.1
              timeSteps: 4
              attackSubset: 50
            resources:
              slotKind: gpu
            priority: -2
            maxConcurrency: 4
            maxAttempts: 5
            """));

        Assert.Equal("full-sweep", spec.Name);
        Assert.Equal(["fashion-mnist", "mnist"], spec.Datasets);
        Assert.Equal(["small-cnn", "vgg5"], spec.Architectures);
        Assert.Equal([0, 0.25, 0.001], spec.Alphas);
        Assert.Equal(["lif", "dlif"], spec.Neurons);
        Assert.Equal(["raw", "at-reg"], spec.Modes);
        Assert.Equal([1, 2, 3], spec.Seeds);
        Assert.Equal(7, spec.Epochs);
        Assert.Equal("quick", spec.AttackSuite);
        Assert.Equal("/srv/data", spec.Training.DataRoot);
        Assert.Equal(32, spec.Training.BatchSize);
        Assert.Equal(0.01, spec.Training.LearningRate);
        Assert.Equal(1000, spec.Training.TrainSubset);
        Assert.Equal(200, spec.Training.TestSubset);
        Assert.Equal(0.1, spec.Training.ValidationFraction);
        Assert.Equal(4, spec.Training.TimeSteps);
        Assert.Equal(50, spec.Training.AttackSubset);
        Assert.Equal("gpu", spec.Resources.SlotKind);
        Assert.Equal(-2, spec.Priority);
        Assert.Equal(4, spec.MaxConcurrency);
        Assert.Equal(5, spec.MaxAttempts);
    }

    [Fact]
    public void Baseline_alpha_and_evaluation_seed_reach_every_experiment_spec()
    {
        var spec = SweepSpecFile.Load(Write(Minimal + "baselineAlpha: 0.5\ntraining:\n  evaluationSeed: 3\n"));

        Assert.Equal(0.5, spec.BaselineAlpha);
        var experiments = GridExpansion.Expand(spec).Select(p => spec.ExperimentSpec(p)).ToList();
        Assert.Equal(2, experiments.Count);
        Assert.All(experiments, e => Assert.Equal(3, e.EvaluationSeed)); // the same images for every grid cell
        Assert.Empty(experiments[0].Validate());
        Assert.Equal(0, SweepSpecFile.Load(Write(Minimal)).BaselineAlpha);
    }

    [Fact]
    public void Omitted_keys_keep_the_spec_defaults()
    {
        var spec = SweepSpecFile.Load(Write(Minimal));

        Assert.Equal(["lif"], spec.Neurons);
        Assert.Equal(["at"], spec.Modes);
        Assert.Equal([42], spec.Seeds);
        Assert.Equal(100, spec.Epochs);
        Assert.Equal("reliable", spec.AttackSuite);
        Assert.Null(spec.Training.DataRoot);
        Assert.Null(spec.Training.BatchSize);
        Assert.Equal("any", spec.Resources.SlotKind);
        Assert.Equal(0, spec.Priority);
        Assert.Equal(0, spec.MaxConcurrency);
        Assert.Equal(3, spec.MaxAttempts);
    }

    [Fact]
    public void A_single_value_where_a_list_is_expected_is_a_list_of_one()
    {
        var spec = SweepSpecFile.Load(Write("""
            name: one
            datasets: fashion-mnist
            architectures: small-cnn
            alphas: 0.5
            seeds: 7
            modes: raw
            """));

        Assert.Equal(["fashion-mnist"], spec.Datasets);
        Assert.Equal(["small-cnn"], spec.Architectures);
        Assert.Equal([0.5], spec.Alphas);
        Assert.Equal([7], spec.Seeds);
        Assert.Equal(["raw"], spec.Modes);
    }

    [Fact]
    public void Relative_data_root_is_resolved_against_the_spec_folder()
    {
        var path = Write(Minimal + "training:\n  dataRoot: ../data\n", Path.Combine("specs", "sweep.yaml"));

        var spec = SweepSpecFile.Load(path);

        Assert.Equal(Path.Combine(_dir.Path, "data"), spec.Training.DataRoot);
    }

    [Fact]
    public void The_quickstart_example_loads()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "StableSnn.sln"))) root = Path.GetDirectoryName(root)!;

        var spec = SweepSpecFile.Load(Path.Combine(root, "examples", "quickstart.yaml"));

        Assert.Equal("quickstart", spec.Name);
        Assert.Equal([0, 0.5, 1, 2], spec.Alphas);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = _dir.File("nope.yaml");

        var e = Assert.Throws<SpecFileException>(() => SweepSpecFile.Load(path));

        Assert.StartsWith($"spec file '{path}' does not exist", Assert.Single(e.Errors));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only a comment\n")]
    public void Empty_file_is_reported(string yaml)
    {
        var error = Assert.Single(Errors(yaml));
        Assert.Contains("is empty", error);
    }

    [Fact]
    public void Malformed_yaml_gives_line_and_column()
    {
        var error = Assert.Single(Errors("name: demo\ndatasets: [fashion-mnist\narchitectures: [small-cnn]\n"));

        Assert.Contains("is not valid YAML at line ", error);
        Assert.Matches(@"line \d+, column \d+: \S", error);
    }

    [Fact]
    public void Malformed_yaml_names_the_offending_line()
    {
        var error = Assert.Single(Errors("name: demo\n  datasets: x\n"));

        Assert.Contains("at line 2, column", error);
    }

    [Fact]
    public void Duplicate_key_is_named_with_its_line()
    {
        var error = Assert.Single(Errors(Minimal + "name: again\n"));

        Assert.Equal("name: is given more than once (line 5, column 1); keep one", error);
    }

    [Fact]
    public void Tab_indentation_names_the_line_with_the_tab()
    {
        var error = Assert.Single(Errors(Minimal + "training:\n\tbatchSize: 3\n"));

        Assert.EndsWith("is not valid YAML at line 6: it is indented with a tab; indent with spaces only", error);
    }

    [Fact]
    public void A_list_at_the_top_level_is_rejected()
    {
        var error = Assert.Single(Errors("- name\n- datasets\n"));

        Assert.Contains("its top level is a list", error);
    }

    [Fact]
    public void Unknown_key_suggests_the_closest_known_key()
    {
        var errors = Errors(Minimal.Replace("alphas:", "alpha:"));

        Assert.Contains(errors, e => e.StartsWith("alpha: unknown key; did you mean 'alphas'?", StringComparison.Ordinal));
        // The misspelt key leaves alphas unset, which validation reports too.
        Assert.Contains(errors, e => e.StartsWith("alphas: is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_nested_key_is_named_with_its_section()
    {
        var error = Assert.Single(Errors(Minimal + "training:\n  batch_size: 64\n"));

        Assert.StartsWith("training.batch_size: unknown key; did you mean 'training.batchSize'?", error);
    }

    [Fact]
    public void A_training_key_at_the_top_level_points_to_training()
    {
        var error = Assert.Single(Errors(Minimal + "batchSize: 64\n"));

        Assert.StartsWith("batchSize: unknown key; did you mean 'training.batchSize'?", error);
    }

    [Fact]
    public void A_key_like_nothing_known_lists_the_known_keys()
    {
        var error = Assert.Single(Errors(Minimal + "zzzzzzzz: 1\n"));

        Assert.StartsWith("zzzzzzzz: unknown key", error);
        Assert.Contains("known keys are name, datasets", error);
    }

    [Fact]
    public void Wrong_types_are_reported_per_field_without_a_second_validation_message()
    {
        var errors = Errors("""
            name: demo
            datasets: [fashion-mnist]
            architectures: [small-cnn]
            alphas: [0.1, abc]
            seeds: [1, 2.5]
            epochs: many
            training:
              learningRate: fast
            """);

        Assert.Equal(4, errors.Count);
        Assert.StartsWith("alphas: 'abc' is not a number", errors[0]);
        Assert.Contains("line 4, column 15", errors[0]);
        Assert.StartsWith("seeds: '2.5' is not a whole number", errors[1]);
        Assert.StartsWith("epochs: 'many' is not a whole number", errors[2]);
        Assert.StartsWith("training.learningRate: 'fast' is not a number", errors[3]);
    }

    [Fact]
    public void A_mapping_where_a_value_is_expected_is_reported()
    {
        var errors = Errors(Minimal.Replace("name: demo", "name: {first: a}") + "resources: gpu\n");

        Assert.Contains(errors, e => e.StartsWith("name: expected a single value, found a mapping", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("resources: expected settings such as 'slotKind: gpu'", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.StartsWith("name: is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_list_item_is_reported()
    {
        var error = Assert.Single(Errors(Minimal.Replace("[0, 0.5]", "[0, ~]")));

        Assert.StartsWith("alphas: item 2 is empty", error);
    }

    [Fact]
    public void Every_validation_error_is_reported_at_once()
    {
        var errors = Errors("""
            name: Bad_Name
            datasets: [imagenet]
            architectures: [small-cnn]
            alphas: [-1]
            epochs: 0
            resources:
              slotKind: tpu
            """);

        Assert.Contains(errors, e => e.StartsWith("name: 'Bad_Name' contains", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("datasets: 'imagenet' is not a known dataset", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("alphas: -1 is negative", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("epochs: 0 must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("resources.slotKind: 'tpu' is not a known slot kind", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void The_experiment_limit_is_passed_to_validation()
    {
        Assert.Contains(Errors(Minimal, maxExperiments: 1), e => e.StartsWith("grid has 2 experiments, more than the limit of 1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_search_whose_plan_finishes_one_trial_is_refused_with_what_would_work_and_plan_can_still_read_it()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "StableSnn.sln"))) root = Path.GetDirectoryName(root)!;
        var yaml = File.ReadAllText(Path.Combine(root, "examples", "search-asha.yaml")).Replace("experiments: 18", "experiments: 9", StringComparison.Ordinal);

        var error = Assert.Single(Errors(yaml));

        Assert.StartsWith("search.asha: this plan finishes 1 trial (9 at 1 epoch -> 3 at 3 epochs -> 1 at 9 epochs)", error, StringComparison.Ordinal);
        Assert.Contains("experiments 18: 2 finish", error, StringComparison.Ordinal);
        Assert.Contains("minEpochs: 3", error, StringComparison.Ordinal);
        Assert.Contains("brackets: 3 (5 finish, 53 trainer-epochs; the last bracket never stops early)", error, StringComparison.Ordinal);
        Assert.Equal(9, SweepSpecFile.Load(Write(yaml, "plan.yaml"), refuseUnworkablePlan: false).Search!.Budget.Experiments);
        // The fix it names, taken: the same nine trials in three brackets load and finish five.
        var hedged = SweepSpecFile.Load(Write(yaml.Replace("    eta: 3", "    eta: 3\n    brackets: 3", StringComparison.Ordinal), "hedged.yaml"));
        Assert.Equal(3, hedged.Search!.Asha.Brackets);
        Assert.Equal(5, SearchPlanner.Plan(hedged.Search, hedged.Epochs).Finishing);
    }

    [Fact]
    public void The_search_example_loads_with_every_search_setting()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "StableSnn.sln"))) root = Path.GetDirectoryName(root)!;

        var spec = SweepSpecFile.Load(Path.Combine(root, "examples", "search-asha.yaml"));

        var search = spec.Search!;
        Assert.True(spec.ProposesTrials);
        Assert.Empty(spec.Alphas);
        Assert.Equal(("asha", 1, 3, 1, 18), (search.Algorithm, search.Asha.MinEpochs, search.Asha.Eta, search.Seed, search.Budget.Experiments!.Value));
        var alpha = Assert.Single(search.Space.Dimensions);
        Assert.Equal((Grains.Search.DimensionKind.LogUniform, 0.01, 10.0, 0.1), (alpha.Kind, alpha.Low, alpha.High, alpha.ZeroProbability));
        Assert.Equal(("worst-case", 8.0, true), (search.Objective.Measure, search.Objective.Epsilon255, search.Objective.Pareto));
    }

    [Fact]
    public void Search_space_takes_ranges_scales_and_choices()
    {
        var spec = SweepSpecFile.Load(Write("""
            name: s
            datasets: [mnist]
            architectures: [small-cnn]
            epochs: 4
            search:
              algorithm: tpe
              objective: {measure: pgd, epsilon: 4, cleanFloor: 0.8}
              space:
                alpha: {low: 0.1, high: 2, scale: linear}
                learningRate: {low: 0.01, high: 0.2}
                timeSteps: [4, 8]
              budget: {trainerEpochs: 40, slotHours: 1.5}
            """));
        var d = spec.Search!.Space.Dimensions;
        Assert.Equal(["alpha", "learningRate", "timeSteps"], d.Select(x => x.Name));
        Assert.Equal([Grains.Search.DimensionKind.Uniform, Grains.Search.DimensionKind.LogUniform, Grains.Search.DimensionKind.Choice], d.Select(x => x.Kind));
        Assert.Equal([4, 8], d[2].Choices);
        Assert.Equal((40L, 1.5), (spec.Search.Budget.TrainerEpochs!.Value, spec.Search.Budget.SlotHours!.Value));
        Assert.Equal(0.8, spec.Search.Objective.CleanFloor);
    }

    [Fact]
    public void Search_problems_are_named_by_field_all_at_once()
    {
        var errors = Errors("""
            name: s
            datasets: [mnist]
            architectures: [small-cnn, vgg5]
            alphas: [0, 1]
            search:
              algorithm: hyperband
              space:
                alpha: {low: 0, high: 10}
                kappa: {low: 0.1, high: 0.9}
              budget: {experimnets: 10}
            """);
        Assert.Contains(errors, e => e.StartsWith("alphas: a search proposes alpha itself", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("architectures: a search tunes one configuration; give one architecture (2 given)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("search.algorithm: 'hyperband' is not known", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("search.space.kappa: unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("search.budget.experimnets: unknown key; did you mean 'search.budget.experiments'?", StringComparison.Ordinal));
    }

    private const string StartSearch = """
        name: s
        datasets: [mnist]
        architectures: [small-cnn]
        epochs: 4
        search:
          algorithm: random
          startTrials: START
          budget: {experiments: 12}

        """;

    [Fact]
    public void Search_start_trials_are_read_defaulted_and_checked_against_the_budget()
    {
        Assert.Equal(6, SweepSpecFile.Load(Write(StartSearch.Replace("START", "6", StringComparison.Ordinal))).Search!.StartTrials);
        var defaulted = SweepSpecFile.Load(Write(StartSearch.Replace("  startTrials: START\n", "", StringComparison.Ordinal))).Search!;
        Assert.Equal((null, 12), (defaulted.StartTrials, defaulted.StartTrialCount)); // random: the whole budget of 12

        Assert.Equal("search.startTrials: 13 is more than search.budget.experiments (12), so part of the start would never run and its " +
            "strata would stay untried; use at most 12, or omit it for the default", Assert.Single(Errors(StartSearch.Replace("START", "13", StringComparison.Ordinal))));
        Assert.StartsWith("search.startTrials: 'few' is not a whole number",
            Assert.Single(Errors(StartSearch.Replace("START", "few", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.StartsWith("search.startTrial: unknown key; did you mean 'search.startTrials'?",
            Assert.Single(Errors(StartSearch.Replace("startTrials: START", "startTrial: 4", StringComparison.Ordinal))), StringComparison.Ordinal);
    }
}
