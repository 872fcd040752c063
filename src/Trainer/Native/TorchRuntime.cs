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
        // Checked before torch.device(): TorchSharp refuses to even name a CUDA device when its backend is absent.
        if (requested.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
            throw new EnvironmentException(
                $"device '{requested}' was requested but CUDA is not available: build with -p:TorchBackend=cuda on a GPU node, or use 'auto'/'cpu'.");
        return torch.device(requested);
    }

    public static void SetThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }
}
