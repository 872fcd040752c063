namespace StableSnn.Contracts;

/// <summary>
/// The attack budget a suite's worst case was measured at. <see cref="Name"/> is <c>autoattack</c> when every
/// cascade member meets AutoAttack's standard version (APGD 100 iterations, APGD-T 9 targets, Square 5,000 queries
/// with p_init 0.8 and the unrescaled schedule), else the budgets in words. Below the standard budget the worst case
/// is a looser upper bound on the robust accuracy, and tables say so.
/// </summary>
public sealed record SuiteBudget(string Name, bool BelowStandard, string Description)
{
    public const string AutoAttack = "autoattack";
}
