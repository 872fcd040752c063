using StableSnn.Trainer.Native;
using TorchSharp;

Console.WriteLine($"tcmalloc loaded: {Allocator.IsTcmallocLoaded()}; device: {TorchRuntime.SelectDevice()}; {torch.ones(2, 2).sum().item<float>()}");
