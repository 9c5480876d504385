using Drawbridge.Edge.Storage;
using Npgsql;

namespace Drawbridge.Tests.Edge.Storage;

/// <summary><c>edge run --store</c>: PostgreSQL URLs and connection strings, and errors that never quote a password.</summary>
public sealed class StoreLocationTests
{
    [Fact]
    public void Nothing_MeansSqliteInTheDataDirectory()
    {
        var location = StoreLocation.Resolve(null, "/var/lib/drawbridge/edge.db");

        Assert.False(location.IsPostgres);
        Assert.Equal("/var/lib/drawbridge/edge.db", location.Display);
    }

    [Theory]
    [InlineData("postgres://edge:s3cret@db.example.com:6543/drawbridge", "postgres://edge@db.example.com:6543/drawbridge")]
    [InlineData("postgresql://edge:s3cret@db.example.com/drawbridge", "postgres://edge@db.example.com:5432/drawbridge")]
    [InlineData("POSTGRES://edge:s3cret@[::1]:5433/drawbridge?sslmode=require", "postgres://edge@[::1]:5433/drawbridge")]
    [InlineData("postgres://ed%40ge:p%40ss%2Fw%3Ard@db.example.com/draw%20bridge", "postgres://ed%40ge@db.example.com:5432/draw%20bridge")]
    [InlineData("Host=db.example.com;Port=6543;Database=drawbridge;Username=edge;Password=s3cret", "postgres://edge@db.example.com:6543/drawbridge")]
    public void PostgresLocations_AreParsed_AndShownWithoutThePassword(string value, string display)
    {
        var location = StoreLocation.Parse(value);

        Assert.True(location.IsPostgres);
        Assert.Equal(display, location.Display);
        Assert.Equal(display, location.ToString());
        Assert.DoesNotContain("s3cret", location.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void AUrl_DecodesItsUserPasswordDatabaseAndOptions()
    {
        var builder = ConnectionStringOf(StoreLocation.Parse("postgres://ed%40ge:p%40ss%2Fw%3Ard@[::1]:5433/draw%20bridge?sslmode=require"));

        Assert.Equal("ed@ge", builder.Username);
        Assert.Equal("p@ss/w:rd", builder.Password);
        Assert.Equal("::1", builder.Host);
        Assert.Equal(5433, builder.Port);
        Assert.Equal("draw bridge", builder.Database);
        Assert.Equal(SslMode.Require, builder.SslMode);
    }

    [Theory]
    [InlineData("postgres://edge:s3cret@db.example.com:5432/", "--store: names no database")]
    [InlineData("postgres://edge:s3cret@db.example.com:5432", "--store: names no database")]
    [InlineData("postgres://edge:s3cret@db.example.com/a/b", "--store: the URL's path must be just the database name")]
    [InlineData("postgres://edge:s3cret@db.example.com:99999/db", "--store: is not a valid URL")]
    [InlineData("postgres://edge:s3cret@/db", "--store: is not a valid URL")]
    [InlineData("postgres://edge:s3cret@db.example.com/db?frobnicate=1", "--store: URL option \"frobnicate\" is not an option Npgsql accepts")]
    [InlineData("mysql://edge:s3cret@db.example.com/db", "--store: not a PostgreSQL location (scheme \"mysql\")")]
    [InlineData("s3cret", "--store: not a PostgreSQL location: expected")]
    [InlineData("Host=db.example.com;Password=s3cret", "--store: names no database")]
    [InlineData("Database=db;Password=s3cret", "--store: names no host")]
    [InlineData("Hots=db.example.com;Database=db;Password=s3cret", "--store: not a valid Npgsql connection string")]
    public void MalformedLocations_AreOneLineErrors_ThatNeverQuoteThePassword(string value, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => StoreLocation.Parse(value));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    private static NpgsqlConnectionStringBuilder ConnectionStringOf(StoreLocation location) => new(location.PostgresConnectionString);
}
