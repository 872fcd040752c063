using TorchSharp;

namespace StableSnn.Trainer.Native;

/// <summary>Device and thread settings, chosen once per process before any tensor work.</summary>
public static class TorchRuntime
{
    /// <summary>"auto" picks CUDA when the CUDA backend is built in and a device is visible, else the CPU.</summary>
    public static torch.Device SelectDevice(string requested = "auto")
    {
        if (requested == "auto")
            return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        var device = torch.device(requested);
        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new ArgumentException(
                $"device '{requested}' was requested but CUDA is not available: build with -p:TorchBackend=cuda on a GPU node, or use 'auto'/'cpu'.");
        return device;
    }

    public static void SetThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }
}
