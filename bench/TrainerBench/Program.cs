using System.Diagnostics;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Native;
using StableSnn.Trainer.Spiking;
using StableSnn.Trainer.Training;
using static TorchSharp.torch;

if (AllocatorGuard.EnsureTcmalloc(args) is int code) return code;
Console.WriteLine($"threads {get_num_threads()} tcmalloc {Allocator.IsTcmallocLoaded()}");
manual_seed(1);
var model = Architectures.Build("small-cnn", new InputShape(1, 28, 28), 10, new NeuronOptions(NeuronKind.Lif), [0.286f], [0.353f]);
var opt = optim.SGD(model.parameters(), 0.1, 0.9, weight_decay: 5e-4);
var x = rand(64, 1, 28, 28);
var y = randint(0, 10, [64]);
void Time(string name, Action a, int n = 10)
{
    for (int i = 0; i < 2; i++) a();
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < n; i++) a();
    Console.WriteLine($"{name}: {sw.Elapsed.TotalMilliseconds / n:F1} ms");
}
Time("forward (no grad)", () => { using var s = NewDisposeScope(); using var g = no_grad(); model.forward(x); });
Time("forward", () => { using var s = NewDisposeScope(); model.forward(x); });
Time("forward+backward", () => { using var s = NewDisposeScope(); opt.zero_grad(); nn.functional.cross_entropy(model.forward(x), y).backward(); });
var step = new TrainingStep(model, opt, new TrainingOptions { Mode = TrainingMode.Raw }, 0.001);
var rng = new Random(1);
Time("raw step", () => step.Run(x, y, rng));
var body = nn.Sequential(nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(3136, 10));
var xf = rand(512, 1, 28, 28);
var yf = randint(0, 10, [512]);
Time("ANN same layers on T*B=512 fwd+bwd", () => { using var s = NewDisposeScope(); body.zero_grad(); nn.functional.cross_entropy(body.forward(xf), yf).backward(); });
var neuron = new SpikingNeuron(new NeuronOptions());
var h = randn(512, 32, 28, 28).requires_grad_();
Time("neuron 32x28x28 fwd+bwd", () => { using var s = NewDisposeScope(); neuron.forward(h).sum().backward(); });
Time("neuron 32x28x28 fwd", () => { using var s = NewDisposeScope(); neuron.forward(h); });
return 0;
