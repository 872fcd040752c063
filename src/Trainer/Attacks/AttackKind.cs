namespace StableSnn.Trainer.Attacks;

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
