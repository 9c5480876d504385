using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Drawbridge.Cli.Hosting;

/// <summary>One logging set-up for every long-running command: one line per event, on stderr
/// (stdout stays free for data, e.g. <c>access tcp</c> as an ssh ProxyCommand).</summary>
internal static class CliLogging
{
    public static Action<ILoggingBuilder> Configure(LogLevel level, bool json = false) => builder =>
    {
        builder.SetMinimumLevel(level);
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("System.Net.Http", LogLevel.Warning);
        // Its only events are per-request start/finish lines (Information), filtered above anyway;
        // while any level of it is on, ASP.NET Core also creates an Activity and a log scope for
        // every request, which every open client connection holds (S10k: ~0.3 KiB per stream).
        builder.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // Hosting logs a failed start (port in use…) with its stack trace; CliAction shows the same exception as one line.
        builder.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        if (json)
        {
            // One JSON object per line, for log shippers: timestamp, level, category, event id, message and its fields.
            builder.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
                console.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
            return;
        }

        builder.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    };

    /// <summary><c>--log-format</c>: plain (default) or json.</summary>
    public static Option<string?> FormatOption() => new("--log-format")
    {
        Description = "Log lines as plain text (default) or json, one object per line (env DRAWBRIDGE_LOG_FORMAT)",
    };

    /// <summary>True for json; a bad value is refused naming where it came from.</summary>
    public static bool Json(SettingLayers layers, Option<string?> option, string? fromFile) =>
        layers.Value(option, "DRAWBRIDGE_LOG_FORMAT", fromFile is null ? null : ParseFormat(fromFile), ParseFormat, "expected plain or json") ?? false;

    private static bool? ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "plain" => false,
        "json" => true,
        _ => null,
    };
}
