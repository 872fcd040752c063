using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Bench;

/// <summary>
/// `AttackBench profile SPEC CHECKPOINT [--subset N] [--suite reliable] [--threads 2] [--out FILE]`: the trainer's attack
/// phase (AttackPhase.Run: the folded copy, RobustnessEvaluator, the suite plus the sanity attack) in-process, with the
/// model wrapped so that every forward is counted (images, with or without a backward following) and timed, and every
/// backward through the model timed from the logits to the input. Per attack: seconds, image-forwards, image-backwards,
/// seconds in the model's forward, in its backward, and the rest (the attack's own tensor work, random draws,
/// bookkeeping). The wrapper adds two identity autograd nodes per gradient pass (a clone of the logits and of the input).
/// </summary>
public static class AttackProfile
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: AttackBench profile SPEC CHECKPOINT [--subset N] [--suite NAME] [--threads T] [--out FILE]");
            return 2;
        }
        var spec = ExperimentSpec.Load(args[0]);
        var checkpoint = args[1];
        var suiteName = "reliable";
        var threads = 2;
        string? outPath = null;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--subset": spec = spec with { AttackSubset = int.Parse(args[i + 1]) }; break;
                case "--suite": suiteName = args[i + 1]; break;
                case "--threads": threads = int.Parse(args[i + 1]); break;
                case "--out": outPath = args[i + 1]; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        var wall = Stopwatch.StartNew();
        using var model = AttackPhase.LoadModel(spec, checkpoint, CPU);
        var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
        train.Dispose();
        using var _test = test;
        using var subset = AttackPhase.EvaluationSubset(test, spec);
        using var scope = NewDisposeScope();
        var images = subset.Images.to_type(ScalarType.Float32).div_(255);
        var labels = subset.Labels;
        using var folded = BatchNormFolding.AttackCopy(model, () => AttackPhase.Build(spec));
        // Not disposed: it would dispose the folded model it wraps (the process ends anyway).
        var profiled = new ProfiledModel(folded);
        profiled.eval();
        var sink = new PhaseCounters(profiled);
        var suite = SuiteCatalog.Resolve(suiteName);
        // The options AttackPhase.Run passes (no transfer attacks here).
        var result = RobustnessEvaluator.Run(profiled, suite, images, labels, AttackPhase.AttackBatchSize(spec), spec.EvaluationSeed, sink,
            new EvaluatorOptions(QueryBatchSize: AttackPhase.QueryBatchSize(spec)));
        var phases = new JsonArray();
        void Add(string name, double seconds, double? accuracy, int attempted)
        {
            var c = sink.Totals.GetValueOrDefault(name) ?? new Counters();
            phases.Add(new JsonObject
            {
                ["attack"] = name, ["seconds"] = seconds, ["accuracy"] = accuracy, ["attempted"] = attempted,
                ["modelCalls"] = c.Calls, ["imageForwards"] = c.ForwardImages, ["imageBackwards"] = c.BackwardImages,
                ["forwardSeconds"] = c.ForwardSeconds, ["backwardSeconds"] = c.BackwardSeconds,
                ["otherSeconds"] = seconds - c.ForwardSeconds - c.BackwardSeconds,
            });
        }
        Add("clean", result.CleanSeconds, result.CleanAccuracy, result.Examples);
        foreach (var a in result.Attacks) Add(a.Attack.Name, a.Seconds, a.Accuracy, a.Attempted);
        var json = new JsonObject
        {
            ["examples"] = result.Examples, ["batchSize"] = result.BatchSize, ["threads"] = threads, ["suite"] = suiteName,
            ["wallSeconds"] = wall.Elapsed.TotalSeconds, ["phases"] = phases,
            ["result"] = JsonNode.Parse(JsonSerializer.Serialize(result, ContractJson.Options)),
        };
        var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (outPath is null) Console.WriteLine(text);
        else File.WriteAllText(outPath, text);
        Console.Error.WriteLine("| phase | s | img-fwd | img-bwd | fwd s | bwd s | other s |");
        foreach (var p in phases)
            Console.Error.WriteLine($"| {p!["attack"]} | {(double)p["seconds"]!:F1} | {p["imageForwards"]} | {p["imageBackwards"]} | " +
                                    $"{(double)p["forwardSeconds"]!:F1} | {(double)p["backwardSeconds"]!:F1} | {(double)p["otherSeconds"]!:F1} |");
        return 0;
    }

    sealed class Counters
    {
        public long Calls, ForwardImages, BackwardImages;
        public double ForwardSeconds, BackwardSeconds;

        public Counters Minus(Counters o) => new()
        {
            Calls = Calls - o.Calls, ForwardImages = ForwardImages - o.ForwardImages, BackwardImages = BackwardImages - o.BackwardImages,
            ForwardSeconds = ForwardSeconds - o.ForwardSeconds, BackwardSeconds = BackwardSeconds - o.BackwardSeconds,
        };

        public void Add(Counters o)
        {
            Calls += o.Calls; ForwardImages += o.ForwardImages; BackwardImages += o.BackwardImages;
            ForwardSeconds += o.ForwardSeconds; BackwardSeconds += o.BackwardSeconds;
        }

        public Counters Copy() => Minus(new Counters());
    }

    /// <summary>The evaluator reports after each batch of each phase, once the batch's work is done: the counters since the last report are that phase's.</summary>
    sealed class PhaseCounters(ProfiledModel model) : IProgress<AttackProgress>
    {
        Counters _last = new();
        public Dictionary<string, Counters> Totals { get; } = [];

        public void Report(AttackProgress p)
        {
            var now = model.Counters.Copy();
            var delta = now.Minus(_last);
            _last = now;
            if (!Totals.TryGetValue(p.Attack, out var total)) Totals[p.Attack] = total = new Counters();
            total.Add(delta);
        }
    }

    /// <summary>Counts and times the inner model's forwards, and times the backward from its logits to its input.</summary>
    sealed class ProfiledModel : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> inner;
        internal Counters Counters { get; } = new();

        public ProfiledModel(nn.Module<Tensor, Tensor> inner) : base(nameof(ProfiledModel))
        {
            this.inner = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var grad = is_grad_enabled() && x.requires_grad;
            Counters.Calls++;
            Counters.ForwardImages += x.shape[0];
            if (grad) Counters.BackwardImages += x.shape[0];
            var clock = Stopwatch.StartNew();
            var logits = grad ? BackwardEnd.apply(x, Counters) : x;
            logits = inner.call(logits);
            if (grad) logits = BackwardStart.apply(logits);
            Counters.ForwardSeconds += clock.Elapsed.TotalSeconds;
            return logits;
        }

    }

    /// <summary>Identity on the logits; its backward runs first and starts the clock.</summary>
    sealed class BackwardStart : autograd.SingleTensorFunction<BackwardStart>
    {
        // Static, not thread-static: libtorch may run a backward on another thread than the one that asked for it.
        internal static long Started;
        public override string Name => nameof(BackwardStart);
        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).clone();
        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            Started = Stopwatch.GetTimestamp();
            return [grad];
        }
    }

    /// <summary>Identity on the input; its backward runs last and stops the clock.</summary>
    sealed class BackwardEnd : autograd.SingleTensorFunction<BackwardEnd>
    {
        public override string Name => nameof(BackwardEnd);
        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("counters", vars[1]);
            return ((Tensor)vars[0]).clone();
        }
        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var counters = (Counters)ctx.get_data("counters");
            counters.BackwardSeconds += Stopwatch.GetElapsedTime(BackwardStart.Started).TotalSeconds;
            return [grad, null!];
        }
    }
}
