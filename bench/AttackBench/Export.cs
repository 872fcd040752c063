using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using StableSnn.Contracts;
using StableSnn.Trainer.Attacks;
using StableSnn.Trainer.Data;
using StableSnn.Trainer.Experiment;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Bench;

/// <summary>
/// `AttackBench export SPEC CHECKPOINT OUTDIR [--subset N] [--suite reliable]`: what a PyTorch re-implementation of the
/// attack phase needs to attack the same network on the same images (bench/pytorch/autoattack_snn.py reads it):
/// the folded attack copy's layers in forward order with their float32 parameters (params.bin), the evaluation subset
/// (images.bin float32 [N, C, H, W] in [0, 1], labels.bin int64 [N]), the folded model's clean logits (logits.bin
/// float32 [N, classes], a check of the re-implementation), the suite as the trainer resolves it (plus the sanity
/// attack), every attack's per-example seeds (seeds.bin int64 [attacks, N]) and the attack batch sizes; manifest.json
/// says where each piece lies. All little-endian.
/// </summary>
public static class AttackExport
{
    public static int Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: AttackBench export SPEC CHECKPOINT OUTDIR [--subset N] [--suite NAME] [--threads T]");
            return 2;
        }
        var spec = ExperimentSpec.Load(args[0]);
        var checkpoint = args[1];
        var outDir = args[2];
        var suiteName = "reliable";
        var threads = 2;
        for (var i = 3; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--subset": spec = spec with { AttackSubset = int.Parse(args[i + 1]) }; break;
                case "--suite": suiteName = args[i + 1]; break;
                case "--threads": threads = int.Parse(args[i + 1]); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        Directory.CreateDirectory(outDir);
        using var model = AttackPhase.LoadModel(spec, checkpoint, CPU);
        // Exactly what AttackPhase.Run attacks: the folded copy, the first layer run once over T.
        using var folded = BatchNormFolding.AttackCopy(model, () => AttackPhase.Build(spec));
        var (train, test) = DatasetCatalog.Load(spec.Dataset, spec.DataRoot);
        train.Dispose();
        using var _test = test;
        using var subset = AttackPhase.EvaluationSubset(test, spec);
        using var scope = NewDisposeScope();
        var images = subset.Images.to_type(ScalarType.Float32).div_(255).contiguous();
        var labels = subset.Labels.contiguous();
        var n = images.shape[0];

        // Layers in forward order. named_modules is pre-order over registration order: mean, std, stem, body.
        var layers = new JsonArray();
        var offset = 0L;
        var parameters = File.Create(Path.Combine(outDir, "params.bin"));
        foreach (var (name, module) in folded.named_modules())
        {
            if (module is Sequential || name.Length == 0) continue;
            // stem: the layers before the first spiking layer, run once per image; body: the rest, on T x B.
            var entry = new JsonObject { ["name"] = name, ["part"] = name.Split('.')[0], ["type"] = module.GetType().Name };
            switch (module)
            {
                case Conv2d conv:
                    entry["stride"] = Json(conv.stride);
                    entry["padding"] = Json(conv.padding);
                    break;
                case AvgPool2d pool:
                    entry["kernel"] = Json(pool.kernel_size);
                    break;
                case SpikingNeuron neuron:
                    entry["kind"] = neuron.Options.Kind.ToString();
                    entry["timeSteps"] = neuron.Options.TimeSteps;
                    entry["tau"] = neuron.Options.Tau;
                    entry["threshold"] = neuron.Options.Threshold;
                    entry["surrogateWidth"] = neuron.Options.SurrogateWidth;
                    break;
            }
            var tensors = new JsonObject();
            foreach (var (pname, p) in module.named_parameters(recurse: false))
                tensors[pname] = Write(parameters, p, ref offset);
            entry["tensors"] = tensors;
            layers.Add(entry);
        }

        // Normalisation constants (buffers of the network itself).
        var buffers = new JsonObject();
        foreach (var (bname, b) in folded.named_buffers(recurse: false))
            buffers[bname] = Write(parameters, b, ref offset);
        parameters.Dispose();

        WriteRaw(Path.Combine(outDir, "images.bin"), images);
        WriteRaw(Path.Combine(outDir, "labels.bin"), labels);
        var batchSize = AttackPhase.AttackBatchSize(spec);
        Tensor logits;
        using (no_grad())
            logits = cat(Enumerable.Range(0, (int)((n + batchSize - 1) / batchSize))
                .Select(b => folded.call(images.narrow(0, (long)b * batchSize, Math.Min(batchSize, n - (long)b * batchSize)))).ToArray());
        WriteRaw(Path.Combine(outDir, "logits.bin"), logits.contiguous());
        var correct = (logits.argmax(1) == labels).sum().item<long>();

        var suite = SuiteCatalog.Resolve(suiteName).Append(EvaluatorOptions.SanityAttack).ToList();
        var seeds = new long[suite.Count * n];
        for (var a = 0; a < suite.Count; a++)
            for (var row = 0L; row < n; row++)
                seeds[a * n + row] = ExampleSeeds.Mix(spec.EvaluationSeed, row, suite[a].Name);
        File.WriteAllBytes(Path.Combine(outDir, "seeds.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(seeds.AsSpan()).ToArray());

        var manifest = new JsonObject
        {
            ["spec"] = JsonNode.Parse(spec.ToJson()),
            ["checkpoint"] = Path.GetFullPath(checkpoint),
            ["examples"] = n,
            ["imageShape"] = Json(images.shape[1..]),
            ["classes"] = logits.shape[1],
            ["timeSteps"] = folded.TimeSteps,
            ["batchSize"] = batchSize,
            // Query-only attacks (Square, Gaussian) run in batches of max(this, batchSize) (EvaluatorOptions.QueryBatchSize).
            ["queryBatchSize"] = AttackPhase.QueryBatchSize(spec),
            ["evaluationSeed"] = spec.EvaluationSeed,
            ["threads"] = threads,
            ["layers"] = layers,
            ["buffers"] = buffers,
            ["suiteName"] = suiteName,
            // The last entry is the evaluator's sanity attack (EvaluatorOptions.SanityAttack).
            ["suite"] = JsonNode.Parse(JsonSerializer.Serialize(suite, ContractJson.Options)),
            ["cleanCorrect"] = correct,
            ["files"] = new JsonObject
            {
                ["params"] = "params.bin", ["images"] = "images.bin", ["labels"] = "labels.bin", ["logits"] = "logits.bin",
                ["seeds"] = "seeds.bin",
            },
            ["checksums"] = new JsonObject
            {
                ["params"] = Sha256(Path.Combine(outDir, "params.bin")),
                ["images"] = Sha256(Path.Combine(outDir, "images.bin")),
                ["labels"] = Sha256(Path.Combine(outDir, "labels.bin")),
            },
            ["logitsSum"] = logits.to_type(ScalarType.Float64).sum().item<double>(),
        };
        File.WriteAllText(Path.Combine(outDir, "manifest.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"exported {layers.Count} layers ({offset} bytes of parameters), {n} images, suite '{suiteName}' + sanity " +
                          $"({suite.Count} attacks), batch {batchSize}; folded model clean {correct}/{n}; " +
                          $"params sha256 {manifest["checksums"]!["params"]}");
        return 0;
    }

    static JsonNode Json<T>(T value) => JsonSerializer.SerializeToNode(value)!;

    static JsonObject Write(Stream stream, Tensor t, ref long offset)
    {
        using var f = t.detach().to_type(ScalarType.Float32).contiguous();
        var data = f.data<float>().ToArray();
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan());
        stream.Write(bytes);
        var entry = new JsonObject { ["offset"] = offset, ["shape"] = Json(f.shape), ["dtype"] = "float32" };
        offset += bytes.Length;
        return entry;
    }

    static void WriteRaw(string path, Tensor t)
    {
        byte[] bytes = t.dtype switch
        {
            ScalarType.Float32 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.data<float>().ToArray().AsSpan()).ToArray(),
            ScalarType.Int64 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.data<long>().ToArray().AsSpan()).ToArray(),
            _ => throw new ArgumentException($"cannot write {t.dtype}"),
        };
        File.WriteAllBytes(path, bytes);
    }

    static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s)).ToLowerInvariant();
    }
}
