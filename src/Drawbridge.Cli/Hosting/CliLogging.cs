using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Drawbridge.Cli.Hosting;

/// <summary>One logging set-up for every long-running command: one line per event, on stderr
/// (stdout stays free for data, e.g. <c>access tcp</c> as an ssh ProxyCommand).</summary>
internal static class CliLogging
{
    public static Action<ILoggingBuilder> Configure(LogLevel level) => builder =>
    {
        builder.SetMinimumLevel(level);
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("System.Net.Http", LogLevel.Warning);
        // Hosting logs a failed start (port in use…) with its stack trace; CliAction shows the same exception as one line.
        builder.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    };
}
