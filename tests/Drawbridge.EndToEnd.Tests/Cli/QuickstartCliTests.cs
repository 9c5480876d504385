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
    private const string ScriptsIntro = "For scripts and CI, skip sign-in with the quickstart's service token:";

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

    [Fact(Timeout = 300_000)]
    public async Task PrintedSignInCommand_WorksWithTheCodeShownInTheQuickstartConsole()
    {
        await using var cli = new DrawbridgeCli();
        ExternalProcess quickstart = await StartQuickstartAsync(cli, url: null);
        string edge = System.Text.RegularExpressions.Regex.Match(quickstart.StandardOutput, @"--edge (127\.0\.0\.1:(\d+))").Groups[1].Value;
        int edgePort = int.Parse(edge.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        string caPath = System.Text.RegularExpressions.Regex.Match(quickstart.StandardOutput, @"--ca-cert (\S+)").Groups[1].Value;

        // No browser here: the device flow; the person approves on the edge's page after an e-mailed (console) code.
        ExternalProcess login = cli.Start(["access", "login", "tcp.localhost", "--no-browser", "--edge", edge, "--ca-cert", caPath]);
        await DrawbridgeCli.WaitForAsync(login, @"enter the code:\s+[A-Z]{4}-[A-Z]{4}");
        string userCode = System.Text.RegularExpressions.Regex.Match(login.Output, @"enter the code:\s+([A-Z]{4}-[A-Z]{4})").Groups[1].Value;
        using var browser = new EdgeBrowser(await File.ReadAllTextAsync(caPath), edgePort, new Uri($"https://localhost:{edgePort}"));
        string devicePage = "/_drawbridge/device?user_code=" + userCode;
        using (await browser.PostFormAsync("/_drawbridge/login/pin", ("email", "dev@example.com"), ("return", devicePage)))
        {
        }

        await DrawbridgeCli.WaitForAsync(quickstart, @"DEVELOPMENT SETTING .* the sign-in code for dev@example\.com is \d{6}");
        string pin = System.Text.RegularExpressions.Regex.Match(quickstart.Output, @"sign-in code for dev@example\.com is (\d{6})").Groups[1].Value;
        using (await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", "dev@example.com"), ("code", pin), ("return", devicePage)))
        {
        }

        using (HttpResponseMessage approved = await browser.PostFormAsync("/_drawbridge/device", ("user_code", userCode), ("decision", "approve")))
        {
            Assert.Contains("Device approved", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await DrawbridgeCli.WaitForExitAsync(login, TimeSpan.FromSeconds(90)));
        (_, int port) = await cli.StartAccessAsync("tcp.localhost", ["--edge", edge, "--ca-cert", caPath]);
        Assert.Equal("signed in", await DrawbridgeCli.ExchangeAsync(port, "signed in"));
        await DrawbridgeCli.WaitForAsync(quickstart, @"Connection \S+ to tcp\.localhost by email:dev@example\.com .*: closed after");
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

        // The first command signs the user in (no secret on the command line)...
        string signIn = lines.Skip(intro + 1).First(l => l.Trim().Length > 0);
        Assert.Contains("access tcp --hostname tcp.localhost --url localhost:9210", signIn, StringComparison.Ordinal);
        Assert.DoesNotContain("--service-token", signIn, StringComparison.Ordinal);

        // ...the second, for scripts, carries the service token: run that one here.
        int scripts = Array.IndexOf(lines, ScriptsIntro);
        Assert.True(scripts > intro, quickstart.Output);
        string[] printed = [.. lines.Skip(scripts + 1).Where(l => l.Trim().Length > 0).Take(2)];
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
