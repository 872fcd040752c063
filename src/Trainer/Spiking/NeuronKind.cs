namespace StableSnn.Trainer.Spiking;

/// <summary>LIF: plain leaky integrate-and-fire. Dlif: the paper's stable neuron with learnable per-step input gains.</summary>
public enum NeuronKind { Lif, Dlif }
