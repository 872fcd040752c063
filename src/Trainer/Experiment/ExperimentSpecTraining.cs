using StableSnn.Contracts;
using StableSnn.Trainer.Models;
using StableSnn.Trainer.Spiking;
using StableSnn.Trainer.Training;

namespace StableSnn.Trainer.Experiment;

/// <summary>The trainer's typed view of a spec (the spec itself is plain data in StableSnn.Contracts).</summary>
public static class ExperimentSpecTraining
{
    extension(ExperimentSpec spec)
    {
        public NeuronKind NeuronKind => spec.Neuron == "dlif" ? NeuronKind.Dlif : NeuronKind.Lif;

        public TrainingMode TrainingMode => spec.Mode switch
        {
            "gaussian" => TrainingMode.Gaussian,
            "at" => TrainingMode.At,
            "at-reg" => TrainingMode.AtReg,
            _ => TrainingMode.Raw,
        };

        public NeuronOptions NeuronOptions => new(spec.NeuronKind, spec.TimeSteps, spec.Tau, spec.Threshold, spec.SurrogateWidth);

        public TrainingOptions TrainingOptions => new()
        {
            Mode = spec.TrainingMode, Alpha = spec.Alpha, Epochs = spec.Epochs, BatchSize = spec.BatchSize,
            LearningRate = spec.LearningRate, Seed = spec.Seed, RatBeta = Architectures.RatBeta(spec.Architecture),
        };
    }
}
