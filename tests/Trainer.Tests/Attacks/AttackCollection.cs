namespace StableSnn.Trainer.Tests.Attacks;

[CollectionDefinition(Name)]
public sealed class AttackCollection : ICollectionFixture<AttackFixture>
{
    // Sequential: the tests share one model, and attacks toggle its training flag.
    public const string Name = "Attacks";
}
