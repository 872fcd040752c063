namespace StableSnn.Contracts;

/// <summary>
/// One attack of a suite, as data (serialise with <see cref="ContractJson.Options"/>).
/// Fields that a kind does not use keep their defaults. Epsilon and step sizes are in [0,1] pixel units.
/// For <see cref="AttackKind.Transfer"/>, <see cref="InnerKind"/> (default PGD) and the other fields
/// describe the attack run on the source model named by <see cref="SourceCheckpoint"/>.
/// <see cref="Surrogate"/> (gradient attacks only; null = the training surrogate) names the backward the attack
/// differentiates through. For <see cref="AttackKind.Square"/>, <see cref="Steps"/> is the query budget and
/// <see cref="PInit"/> the initial fraction of pixels a square covers.
/// </summary>
/// <remarks>
/// Fields added after the first results were written are init properties with the old behaviour as default, so suite
/// files and results written before them read as they did.
/// </remarks>
public sealed record AttackConfig(
    string Name,
    AttackKind Kind,
    float Epsilon,
    int Steps = 1,
    float StepSize = 0f,
    bool RandomStart = false,
    AttackLoss Loss = AttackLoss.CE,
    int Restarts = 1,
    float Sigma = 0f,
    string? SourceCheckpoint = null,
    float Rho = 0.75f,
    AttackKind? InnerKind = null,
    SurrogateGradient? Surrogate = null,
    float PInit = 0.3f)
{
    /// <summary>
    /// Runs only on the images still classified correctly after every earlier attack of the suite at the same epsilon
    /// (AutoAttack's cascade): the suite then costs little more than its most expensive member. Its accuracy is the
    /// robust accuracy after it, images it skipped counting as already broken.
    /// </summary>
    public bool Cascade { get; init; }

    /// <summary>
    /// For <see cref="AttackLoss.DlrTargeted"/>: how many target classes, each the next one down the clean image's
    /// ranking (the 2nd highest logit first), each a full run on the images still robust. AutoAttack's standard: 9.
    /// </summary>
    public int TargetClasses { get; init; }

    /// <summary>
    /// Square only: compress the reference's schedule of square sizes (halvings at iterations 10, 50, 200, ... of
    /// 10,000) into <see cref="Steps"/> queries, as the Square Attack paper's code does by default. AutoAttack runs it
    /// unrescaled (false) at 5,000 queries.
    /// </summary>
    public bool RescaleSchedule { get; init; } = true;

    /// <summary>APGD only: how the gradient becomes a step (<see cref="StepRule"/>).</summary>
    public StepRule Step { get; init; }
}
