namespace StableSnn.Grains;

/// <summary>Name of the grain storage provider every stateful grain uses (ADO.NET on SQLite or PostgreSQL).</summary>
public static class GrainStorage
{
    public const string Name = "stablesnn";
}
