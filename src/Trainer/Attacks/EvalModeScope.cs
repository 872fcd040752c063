using TorchSharp;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Attacks;

/// <summary>
/// Switches a module to eval mode (BatchNorm running stats, no dropout) and restores the previous
/// training flag on dispose, so an attack inside a training loop leaves the model as it found it.
/// </summary>
internal sealed class EvalModeScope : IDisposable
{
    private readonly nn.Module _model;
    private readonly bool _wasTraining;

    public EvalModeScope(nn.Module model)
    {
        _model = model;
        _wasTraining = model.training;
        model.eval();
    }

    public void Dispose() => _model.train(_wasTraining);
}
