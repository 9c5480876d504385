using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>drawbridge quickstart</c> prints a client command; pasted as printed (only the local port
/// changed, so tests don't collide on 9210) it reaches the service.
/// </summary>
public sealed class QuickstartCliTests
{
    private const string Intro = "In another terminal, run:";

    [Fact(Timeout = 300_000)]
    public async Task PrintedCommand_ReachesTheBuiltInEchoService()
    {
        await using var cli = new DrawbridgeCli();
        ExternalProcess quickstart = await StartQuickstartAsync(cli, url: null);
        Assert.Contains("Drawbridge quickstart is running: tcp.localhost → tcp://127.0.0.1:", quickstart.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(built-in echo service)", quickstart.StandardOutput, StringComparison.Ordinal);

        int port = await StartPrintedAccessCommandAsync(cli, quickstart);

        Assert.Equal("hello, quickstart", await DrawbridgeCli.ExchangeAsync(port, "hello, quickstart"));
        await DrawbridgeCli.WaitForAsync(quickstart, @"Connection \S+ to tcp\.localhost by service-token:quickstart .*: closed after");
    }

    [Fact(Timeout = 300_000)]
    public async Task PrintedCommand_WithUrl_LetsRedisCliReachRedis()
    {
        await using RedisFixture redis = await RedisFixture.StartAsync();
        await using var cli = new DrawbridgeCli();
        ExternalProcess quickstart = await StartQuickstartAsync(cli, $"tcp://127.0.0.1:{redis.Port}");
        Assert.Contains($"Drawbridge quickstart is running: tcp.localhost → tcp://127.0.0.1:{redis.Port}\n", quickstart.StandardOutput, StringComparison.Ordinal);

        int port = await StartPrintedAccessCommandAsync(cli, quickstart);
        ProcessResult ping = await RedisFixture.RunCliAsync(port, "PING");

        Assert.True(ping.ExitCode == 0, $"{ping}\n{quickstart.Output}");
        Assert.Equal("PONG", ping.StandardOutput.Trim());
    }

    /// <summary>Starts the quickstart on a reserved port and waits until it printed its instructions and the edge has the link.</summary>
    private static async Task<ExternalProcess> StartQuickstartAsync(DrawbridgeCli cli, string? url)
    {
        string data = Path.Combine(cli.Scratch("quickstart"), "data");
        string[] service = url is null ? [] : ["--url", url];
        (ExternalProcess quickstart, _) = await cli.StartListeningAsync(
            port => ["quickstart", "--data-dir", data, "--listen", $"127.0.0.1:{port}", .. service],
            "Ctrl\\+C stops\\.");
        // The connector saw its link accepted; the edge logs the link once it can route to it.
        await DrawbridgeCli.WaitForAsync(quickstart, @"Registered tunnel link \d of tunnel");
        return quickstart;
    }

    /// <summary>
    /// Runs the two printed lines after <see cref="Intro"/> (joined, without the backslash) as a
    /// process, listening on a reserved port instead of localhost:9210; returns that port.
    /// </summary>
    private static async Task<int> StartPrintedAccessCommandAsync(DrawbridgeCli cli, ExternalProcess quickstart)
    {
        string[] lines = quickstart.StandardOutput.Split('\n');
        int intro = Array.IndexOf(lines, Intro);
        Assert.True(intro >= 0, quickstart.Output);
        string[] printed = [.. lines.Skip(intro + 1).Where(l => l.Trim().Length > 0).Take(2)];
        Assert.EndsWith(" \\", printed[0], StringComparison.Ordinal);
        string[] words = (printed[0].TrimEnd('\\') + " " + printed[1]).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // As printed: this very program, then `access tcp` with everything the client needs.
        Assert.Equal(["dotnet", DrawbridgeCli.DllPath], words[..2]);
        Assert.Equal(["access", "tcp", "--hostname", "tcp.localhost", "--url", "localhost:9210"], words[2..8]);
        foreach (string flag in new[] { "--edge", "--ca-cert", "--service-token-id", "--service-token-secret" })
        {
            Assert.Contains(flag, words);
        }

        string[] rest = words[8..];
        (_, int port) = await cli.StartAccessAsync("tcp.localhost", rest);
        return port;
    }
}
