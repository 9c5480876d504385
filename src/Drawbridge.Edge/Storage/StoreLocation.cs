using Microsoft.Extensions.Logging;
using Npgsql;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// Where the edge keeps its state: the value of <c>edge run --store</c> (or the <c>store</c>
/// setting), parsed before anything starts. Empty means the embedded default, a SQLite file in
/// the data directory; otherwise a PostgreSQL URL (<c>postgres://user:password@host:port/database</c>,
/// or <c>postgresql://</c>, with libpq-style query options such as <c>?sslmode=require</c>) or an
/// Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>).
/// Errors name what is wrong and never quote the value: it may hold a password.
/// </summary>
internal sealed class StoreLocation
{
    /// <summary>PostgreSQL's default port, for a URL that names none.</summary>
    private const int DefaultPostgresPort = 5432;

    private const string Expected =
        "expected postgres://user:password@host:port/database (or postgresql://…), or an Npgsql connection string (Host=…;Database=…)";

    private readonly string? _sqlitePath;

    private StoreLocation(string? sqlitePath, string? postgresConnectionString, string display)
    {
        _sqlitePath = sqlitePath;
        PostgresConnectionString = postgresConnectionString;
        Display = display;
    }

    /// <summary>The file path, or the PostgreSQL URL without its password: safe to log and print.</summary>
    public string Display { get; }

    /// <summary>The Npgsql connection string, password included (never log it); null for SQLite.</summary>
    public string? PostgresConnectionString { get; }

    public bool IsPostgres => PostgresConnectionString is not null;

    public static StoreLocation Sqlite(string path) => new(Path.GetFullPath(path), null, Path.GetFullPath(path));

    /// <summary><paramref name="configured"/> when set, else SQLite at <paramref name="defaultSqlitePath"/>.</summary>
    public static StoreLocation Resolve(string? configured, string defaultSqlitePath) =>
        string.IsNullOrWhiteSpace(configured) ? Sqlite(defaultSqlitePath) : Parse(configured);

    /// <summary>Parses a PostgreSQL URL or connection string; <see cref="FormatException"/> (one line, no password) when malformed.</summary>
    public static StoreLocation Parse(string value)
    {
        var trimmed = value.Trim();
        NpgsqlConnectionStringBuilder builder;
        if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            builder = FromUrl(trimmed);
        }
        else if (trimmed.Contains('=', StringComparison.Ordinal))
        {
            builder = FromKeyValues(trimmed);
        }
        else
        {
            var scheme = trimmed.IndexOf("://", StringComparison.Ordinal) is > 0 and var end ? $" (scheme \"{trimmed[..end]}\")" : "";
            throw new FormatException($"--store: not a PostgreSQL location{scheme}: {Expected}");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new FormatException("--store: names no host: " + Expected);
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            throw new FormatException("--store: names no database: " + Expected);
        }

        return new StoreLocation(null, builder.ConnectionString, PostgresEdgeStore.Describe(builder));
    }

    /// <summary>Opens the store (migrating its schema); see <see cref="SqliteEdgeStore.OpenAsync"/> and <see cref="PostgresEdgeStore.OpenAsync"/>.</summary>
    public Task<SqlEdgeStore> OpenAsync(TimeProvider time, ILogger logger, CancellationToken cancellationToken) =>
        PostgresConnectionString is { } connectionString
            ? PostgresEdgeStore.OpenAsync(connectionString, time, logger, cancellationToken)
            : SqliteEdgeStore.OpenAsync(_sqlitePath!, time, logger, cancellationToken);

    public override string ToString() => Display;

    private static NpgsqlConnectionStringBuilder FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException(
                "--store: is not a valid URL (a password with '@', ':', '/' or '?' must be percent-encoded): " + Expected);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPostgresPort : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        if (builder.Database.Contains('/', StringComparison.Ordinal))
        {
            throw new FormatException("--store: the URL's path must be just the database name: " + Expected);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var option = Uri.UnescapeDataString(equals < 0 ? "" : pair[(equals + 1)..]);
            if (key.Equals("password", StringComparison.OrdinalIgnoreCase))
            {
                builder.Password = option;
                continue;
            }

            SetOption(builder, key, option, $"URL option \"{key}\"");
        }

        return builder;
    }

    private static NpgsqlConnectionStringBuilder FromKeyValues(string value)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException ex)
        {
            // Npgsql names the keyword it rejects, never a value.
            throw new FormatException($"--store: not a valid Npgsql connection string ({ex.Message}): {Expected}", ex);
        }
    }

    private static void SetOption(NpgsqlConnectionStringBuilder builder, string key, string value, string what)
    {
        try
        {
            builder[key] = value;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidCastException)
        {
            throw new FormatException($"--store: {what} is not an option Npgsql accepts with that value: {Expected}", ex);
        }
    }
}
