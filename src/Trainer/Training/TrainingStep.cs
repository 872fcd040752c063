using StableSnn.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StableSnn.Trainer.Training;

/// <summary>What one optimiser step measured on its batch.</summary>
public readonly record struct StepMetrics(double Loss, double Regulariser, long Correct, long Count);

/// <summary>
/// One optimiser step of a training mode: loss = kappa CE(f(x)) + (1 - kappa) CE(f(x~)) + alpha V, or CE(f(x)) for
/// Raw, then SGD, then (AT+Reg) the orthogonality step, and the simplex projection of residual mixing weights.
/// Runs synchronously on the calling thread inside its own dispose scope.
/// </summary>
public sealed class TrainingStep(SpikingNetwork model, optim.Optimizer optimizer, TrainingOptions options, double ratBeta)
{
    readonly Parameter[] _mixWeights = model.modules().OfType<ConvexResidualBlock>().Select(b => b.Mix).ToArray();

    public SpikingNetwork Model => model;

    public StepMetrics Run(Tensor x, Tensor y, Random weightRng)
    {
        using var scope = NewDisposeScope();
        model.train();
        Tensor loss, cleanLogits, regulariser;
        var neuron = model.LastNeuron;
        if (options.Mode == TrainingMode.Raw)
        {
            cleanLogits = model.forward(x);
            loss = nn.functional.cross_entropy(cleanLogits, y);
            regulariser = zeros(1, device: x.device); // on the batch's device: CPU by default, CUDA on GPU nodes
        }
        else
        {
            var perturbed = options.Mode == TrainingMode.Gaussian
                ? PerturbedInputs.Gaussian(x, options.GaussianSigma)
                : PerturbedInputs.Fgsm(model, x, y, options.FgsmEpsilon, options.FgsmStartNoise);
            bool regularise = options.Alpha > 0;
            neuron.RecordInput = regularise;
            try
            {
                cleanLogits = model.forward(x);
                var cleanCurrent = regularise ? neuron.RecordedInput!.detach() : null;
                var perturbedLogits = model.forward(perturbed);
                regulariser = regularise
                    ? StabilityRegulariser.Value(cleanCurrent!, neuron.RecordedInput!, model.LastNeuron.Options.Tau)
                    : zeros(1, device: x.device);
                loss = nn.functional.cross_entropy(cleanLogits, y) * options.Kappa
                     + nn.functional.cross_entropy(perturbedLogits, y) * (1 - options.Kappa)
                     + regulariser * options.Alpha;
            }
            finally
            {
                neuron.RecordInput = false;
            }
        }

        double lossValue = loss.item<float>();
        if (!double.IsFinite(lossValue)) throw new DivergedException(lossValue);

        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (options.Mode == TrainingMode.AtReg) OrthogonalityStep.Apply(model, ratBeta, weightRng);
        foreach (var mix in _mixWeights) SimplexProjection.ProjectInPlace(mix);

        long correct = cleanLogits.argmax(1).eq(y).sum().item<long>();
        return new StepMetrics(lossValue, regulariser.item<float>(), correct, y.shape[0]);
    }
}

/// <summary>The loss became NaN or infinite: the run diverged and retrying the same spec will not help.</summary>
public sealed class DivergedException(double loss) : Exception($"training diverged: loss = {loss}");
