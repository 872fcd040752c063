using System.Text.Json;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Native;
using TorchSharp;
using static TorchSharp.torch;

// One suite on one trained model, as the attack phase runs it, on the model itself or on a masked twin of it, for the
// evaluation study of bench/README.md ("AutoAttack-grade evaluation"): how often each check fires on healthy and on
// masked models.
//   plain      the batch-norm-folded attack copy (what the trainer attacks)
//   rescaled   every convolution's weights and bias and every threshold times 4096: bitwise the same spikes and
//              logits, but membranes far from threshold, so the training surrogate's gradient vanishes (masked for
//              the paper's attacks, not for the adaptive backward, which scales with the membrane)
//   quantized  the input rounded to 5 levels first: every gradient is zero, adaptive or not (masked for all of them)
// Usage: EvalStudy SPEC CHECKPOINT --suite NAME|FILE --subset N --variant plain|rescaled|quantized --out FILE [--threads 2]
if (AllocatorGuard.EnsureTcmalloc(args) is int code) return code;
var spec = ExperimentSpec.Load(args[0]);
var checkpoint = args[1];
string suiteName = "reliable", variant = "plain", output = "result.json";
int subset = spec.AttackSubset, threads = 2;
for (var i = 2; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--suite": suiteName = args[i + 1]; break;
        case "--subset": subset = int.Parse(args[i + 1]); break;
        case "--variant": variant = args[i + 1]; break;
        case "--out": output = args[i + 1]; break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        default: throw new ArgumentException($"unknown option {args[i]}; see the header of bench/EvalStudy/Program.cs");
    }
}
if (variant is not ("plain" or "rescaled" or "quantized"))
    throw new ArgumentException($"--variant: '{variant}' is unknown; use plain, rescaled or quantized");
TorchRuntime.SetThreads(threads);
spec = spec with { AttackSubset = subset };
const float Scale = 4096; // a power of two: the scaled network computes bitwise the same spikes

using var trained = AttackPhase.LoadModel(spec, checkpoint, CPU);
var scaledSpec = variant == "rescaled" ? spec with { Threshold = spec.Threshold * Scale } : spec;
using var folded = BatchNormFolding.AttackCopy(trained, () => AttackPhase.Build(scaledSpec));
if (variant == "rescaled")
{
    using var noGrad = no_grad();
    foreach (var conv in folded.modules().OfType<TorchSharp.Modules.Conv2d>())
    {
        conv.weight.mul_(Scale);
        conv.bias?.mul_(Scale);
    }
}
nn.Module<Tensor, Tensor> model = variant == "quantized" ? new QuantizedInput(folded) : folded;

var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
train.Dispose();
using var images = AttackPhase.EvaluationSubset(test, spec);
var x = images.Images.to_type(ScalarType.Float32).div_(255);
if (variant == "rescaled")
{
    using var noGrad = no_grad();
    if (!trained.call(x).argmax(1).eq(model.call(x).argmax(1)).all().item<bool>())
        throw new InvalidOperationException("the rescaled twin must predict exactly as the trained model");
}
var clock = System.Diagnostics.Stopwatch.StartNew();
var result = RobustnessEvaluator.Run(model, SuiteCatalog.Resolve(suiteName), x, images.Labels, AttackPhase.AttackBatchSize(spec),
    spec.EvaluationSeed, new Progress<AttackProgress>(p => Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {p.Attack} {p.Batch}/{p.Batches}")),
    new EvaluatorOptions(QueryBatchSize: AttackPhase.QueryBatchSize(spec)));
File.WriteAllText(output, JsonSerializer.Serialize(result, ContractJson.Options));
Console.WriteLine($"{variant}: clean {result.CleanAccuracy:P1}, worst case {result.Headline?.Accuracy:P1}, suspect {result.Suspect}, " +
                  $"flags {string.Join(", ", result.Flags.Select(f => f.Code))}, {clock.Elapsed.TotalSeconds:F0} s");
return 0;

/// <summary>Rounds the input to multiples of 1/4 before the network: round() has zero gradient everywhere.</summary>
sealed class QuantizedInput : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> inner;

    public QuantizedInput(nn.Module<Tensor, Tensor> inner) : base(nameof(QuantizedInput))
    {
        this.inner = inner;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => inner.call((input * 4).round() / 4);
}
