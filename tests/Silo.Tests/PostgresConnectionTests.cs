using Npgsql;
using StableSnn.Silo.Storage;

namespace StableSnn.Silo.Tests;

public class PostgresConnectionTests
{
    [Fact]
    public void AutoPrepareIsAddedAndTheRestKept()
    {
        var result = new NpgsqlConnectionStringBuilder(
            PostgresConnection.WithAutoPrepare("Host=db;Port=5433;Database=orleans;Username=u;Password=p"));
        Assert.Equal(PostgresConnection.DefaultMaxAutoPrepare, result.MaxAutoPrepare);
        Assert.Equal(("db", 5433, "orleans", "u", "p"), (result.Host, result.Port, result.Database, result.Username, result.Password));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;max auto prepare=5", 5)]
    [InlineData("Host=db;MaxAutoPrepare=7", 7)]
    public void AnExplicitSettingWins(string connectionString, int expected) =>
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(PostgresConnection.WithAutoPrepare(connectionString)).MaxAutoPrepare);
}
