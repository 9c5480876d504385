namespace Drawbridge.Tests.Fixtures;

/// <summary>The test classes that share one <see cref="PostgresServer"/> (each test with its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
