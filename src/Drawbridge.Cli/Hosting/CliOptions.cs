using System.CommandLine;
using Drawbridge.Connector.Ingress;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Cli.Hosting;

/// <summary>Options several commands share, and the rule that a flag falls back to its <c>DRAWBRIDGE_*</c> variable.</summary>
internal static class CliOptions
{
    public static Option<string?> AdminCredential() => new("--admin-credential")
    {
        Description = "Admin credential file written by `edge init` (default: ~/.config/drawbridge/admin.json; env DRAWBRIDGE_ADMIN_CREDENTIAL)",
    };

    public static Option<string?> DataDirectory() => new("--data-dir")
    {
        Description = "The edge's data directory (default: /var/lib/drawbridge as root, else ~/.local/share/drawbridge; env DRAWBRIDGE_DATA_DIR)",
    };

    public static Option<string?> Store() => new("--store")
    {
        Description = "Where the edge keeps its state: postgres://user:password@host:port/database (or postgresql://…, or an Npgsql "
            + "connection string) for a PostgreSQL database several edges share; default: SQLite in the data directory, or the "
            + "edge's \"store\" setting (env DRAWBRIDGE_STORE)",
    };

    public static Option<string?> CaCert() => new("--ca-cert")
    {
        Description = "PEM file of the edge's CA, for a self-signed edge (env DRAWBRIDGE_CA_CERT)",
    };

    public static Option<string?> Edge() => new("--edge")
    {
        Description = "Dial the edge at HOST:PORT instead of the hostname's own address (TLS name and Host stay the same; env DRAWBRIDGE_EDGE)",
    };

    public static Option<LogLevel> LogLevelOption() => new("--log-level")
    {
        Description = "Least severe log level shown: Trace, Debug, Information, Warning, Error",
        DefaultValueFactory = _ => LogLevel.Information,
    };

    /// <summary>The flag's value, else the environment variable's, else null.</summary>
    public static string? FlagOrEnvironment(ParseResult parse, Option<string?> option, string variable) =>
        parse.GetValue(option) ?? (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null);

    public static TimeSpan Duration(string text, string flag) => ConnectorConfigLoader.ParseDuration(text, flag, flag);
}
