namespace StableSnn.Grains.Model;

/// <summary>How a search trial's number is written wherever people read it: keys, decisions, tables ("t003").</summary>
public static class TrialLabel
{
    public static string Of(int trial) => $"t{trial:D3}";
}
