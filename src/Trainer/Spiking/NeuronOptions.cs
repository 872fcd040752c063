namespace StableSnn.Trainer.Spiking;

/// <summary>Parameters shared by every spiking layer of a network (PAPER.md section 1).</summary>
/// <param name="TimeSteps">T: the input is presented unchanged at every step.</param>
/// <param name="Tau">Leak: u[t] = tau * u[t-1] + I[t].</param>
/// <param name="Threshold">Vth: a spike when u reaches it, then a hard reset to 0.</param>
/// <param name="SurrogateWidth">g: dH/du is approximated by (1/g^2) max(0, g - |u - Vth|).</param>
public sealed record NeuronOptions(
    NeuronKind Kind = NeuronKind.Lif,
    int TimeSteps = 8,
    double Tau = 0.99,
    double Threshold = 1.0,
    double SurrogateWidth = 1.0);
