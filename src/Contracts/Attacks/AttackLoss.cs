namespace StableSnn.Contracts;

/// <summary>Objective an attack ascends. DLR is scale-invariant, which makes it robust to logit rescaling.</summary>
public enum AttackLoss
{
    CE,
    DLR,
}
