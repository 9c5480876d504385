using System.Globalization;
using System.Net;

namespace Drawbridge.Bench.S10k;

/// <summary>
/// <c>s10k echo --listen 127.0.0.1:PORT</c> runs the echo origin until killed;
/// <c>s10k open --target 127.0.0.1:PORT --count N --pids P1,P2 [--timeout SECONDS]</c> opens N
/// streams through the target, echoes a byte on each, holds them all, reads the RSS of the
/// given processes, and prints one <c>key=value</c> line. Two processes, because each may hold
/// only 20,000 descriptors on the CI machine and 10,000 streams need that many on each side.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            Dictionary<string, string> flags = ParseFlags(args.Skip(1));
            switch (args.FirstOrDefault())
            {
                case "echo":
                    using (var server = new EchoServer(ParseEndpoint(Required(flags, "--listen"))))
                    {
                        Console.WriteLine($"s10k: echo listening on {server.Endpoint}");
                        await server.RunUntilCancelledAsync(ShutdownToken());
                    }

                    return 0;
                case "open":
                    var options = new StreamHolderOptions(
                        ParseEndpoint(Required(flags, "--target")),
                        int.Parse(Required(flags, "--count"), CultureInfo.InvariantCulture),
                        Required(flags, "--pids").Split(',', StringSplitOptions.RemoveEmptyEntries)
                            .Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)).ToArray(),
                        TimeSpan.FromSeconds(int.Parse(flags.GetValueOrDefault("--timeout", "180"), CultureInfo.InvariantCulture)));
                    StreamHolderReport report = await StreamHolder.RunAsync(options);
                    Console.WriteLine(report.ToLine());
                    return report.Failed == 0 ? 0 : 1;
                default:
                    Console.Error.WriteLine("usage: s10k echo --listen IP:PORT | s10k open --target IP:PORT --count N --pids PID,PID [--timeout S]");
                    return 2;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            Console.Error.WriteLine($"s10k: {ex.Message}");
            return 2;
        }
    }

    private static Dictionary<string, string> ParseFlags(IEnumerable<string> args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        foreach (string arg in args)
        {
            if (name is null)
            {
                name = arg.StartsWith("--", StringComparison.Ordinal) ? arg : throw new FormatException($"unexpected argument '{arg}'");
            }
            else
            {
                flags[name] = arg;
                name = null;
            }
        }

        return name is null ? flags : throw new FormatException($"{name} needs a value");
    }

    private static string Required(Dictionary<string, string> flags, string name) =>
        flags.TryGetValue(name, out string? value) ? value : throw new FormatException($"missing {name}");

    private static IPEndPoint ParseEndpoint(string text) =>
        IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && endpoint.Port != 0
            ? endpoint
            : throw new FormatException($"'{text}' is not IP:PORT");

    /// <summary>Cancelled on SIGTERM or Ctrl+C, so bench/run's trap ends the echo origin cleanly.</summary>
    private static CancellationToken ShutdownToken()
    {
        var stop = new CancellationTokenSource();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        return stop.Token;
    }
}
