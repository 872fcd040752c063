namespace StableSnn.Contracts;

public enum AttackKind
{
    Fgsm,
    Pgd,
    Apgd,
    RFgsm,
    Gaussian,
    Transfer,
    Square,
}
