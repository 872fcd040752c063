namespace StableSnn.Trainer.Training;

/// <summary>PAPER.md section 3. Raw: clean CE only. Gaussian: x + sigma N(0, I). At: FGSM examples crafted in eval mode.
/// AtReg: as At plus SNN-RAT's orthogonality step and no weight decay.</summary>
public enum TrainingMode { Raw, Gaussian, At, AtReg }
