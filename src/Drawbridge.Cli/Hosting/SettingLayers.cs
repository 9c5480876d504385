using System.CommandLine;
using System.Globalization;
using System.Net;
using Drawbridge.Configuration;
using Drawbridge.Observability;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Cli.Hosting;

/// <summary>
/// One setting from three places, later ones winning: the config file, then its
/// <c>DRAWBRIDGE_*</c> environment variable, then the command-line flag (docs/CONFIG.md). A bad
/// value is refused naming where it came from: <c>--ha-connections 'x'</c>,
/// <c>DRAWBRIDGE_HA_CONNECTIONS='x'</c>, or the file and line (the file's loader checks its own).
/// </summary>
internal sealed class SettingLayers(ParseResult parse, Func<string, string?>? environment = null)
{
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>The flag if given, else the variable if set and not empty, else the file's value.</summary>
    public string? Text(Option<string?> option, string variable, string? fromFile) =>
        Raw(option, variable) is { } raw ? raw.Value : fromFile;

    /// <summary>Like <see cref="Text"/>, parsed by <paramref name="convert"/>, which returns null for a bad value (then: an error naming the source and <paramref name="expected"/>).</summary>
    public T? Value<T>(Option<string?> option, string variable, T? fromFile, Func<string, T?> convert, string expected)
        where T : struct
    {
        if (Raw(option, variable) is not { } raw)
        {
            return fromFile;
        }

        return convert(raw.Value) ?? throw new FormatException($"{raw.Source} '{raw.Value}': {expected}");
    }

    public TimeSpan? Duration(Option<string?> option, string variable, TimeSpan? fromFile) =>
        Value(option, variable, fromFile, text => Protocol.Text.Durations.TryParse(text, TimeSpan.FromHours(24), out TimeSpan d) ? d : null,
            "expected a duration like 30s, 2m or 500ms (at most 24h)");

    public int? Number(Option<string?> option, string variable, int? fromFile, int min, int max) =>
        Value(option, variable, fromFile,
            text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max ? n : null,
            $"expected a whole number from {min} to {max}");

    /// <summary><c>--metrics IP:PORT</c> (<see cref="MetricsAddress"/>); a bad value is named with its source, shown cut short when it is long.</summary>
    public IPEndPoint? MetricsEndpoint(Option<string?> option, IPEndPoint? fromFile)
    {
        if (Raw(option, "DRAWBRIDGE_METRICS") is not { } raw)
        {
            return fromFile;
        }

        return MetricsAddress.TryParse(raw.Value, out IPEndPoint? endpoint, out string problem)
            ? endpoint
            : throw new FormatException($"{raw.Source} '{MetricsAddress.Shown(raw.Value)}': {problem}");
    }

    /// <summary>The <c>--metrics</c> option of <c>edge run</c> and <c>tunnel run</c>.</summary>
    public static Option<string?> MetricsOption() => new("--metrics")
    {
        Description = "IP:PORT for /metrics (Prometheus) and /ready on plain HTTP, e.g. 127.0.0.1:2000 (default off; env DRAWBRIDGE_METRICS)",
    };

    public LogLevel LogLevel(Option<string?> option, string? fromFile, LogLevel fallback = Microsoft.Extensions.Logging.LogLevel.Information)
    {
        LogLevel? file = fromFile is null ? null : ParseLogLevel(fromFile);
        return Value(option, "DRAWBRIDGE_LOG_LEVEL", file, ParseLogLevel, $"expected one of {string.Join(", ", YamlConfigFile.LogLevels)}") ?? fallback;
    }

    /// <summary>A string option for a log level, so the flag, the variable and the file are read alike.</summary>
    public static Option<string?> LogLevelOption() => new("--log-level")
    {
        Description = "Least severe log level shown: trace, debug, information (default), warning, error (env DRAWBRIDGE_LOG_LEVEL)",
    };

    private static LogLevel? ParseLogLevel(string text) =>
        YamlConfigFile.LogLevels.Contains(text.ToLowerInvariant()) && Enum.TryParse(text, ignoreCase: true, out LogLevel level) ? level : null;

    private (string Value, string Source)? Raw(Option<string?> option, string variable)
    {
        if (parse.GetResult(option) is { Implicit: false } && parse.GetValue(option) is { } flag)
        {
            return (flag, option.Name);
        }

        return _environment(variable) is { Length: > 0 } value ? (value, variable) : null;
    }
}
