using System.Runtime.Versioning;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>tunnel run --config config.yml</c>: a bad file is refused with one line naming the file,
/// the line or rule, and what is allowed; a good one routes each hostname to its own origin.
/// </summary>
[UnsupportedOSPlatform("windows")] // owner-only credentials file; the end-to-end tests run on Linux
public sealed class ConfigCliTests
{
    public static TheoryData<string, string, string> BadConfigs => new()
    {
        {
            "unknown-key",
            "ha-connections: 2\ningres:\n  - service: reject\n",
            "{0}:2: unknown key 'ingres'; allowed: tunnel, credentials-file, edge, ha-connections, grace-period, metrics, log-level, log-format, ingress"
        },
        {
            "no-catch-all",
            "ingress:\n  - hostname: a.test\n    service: tcp://127.0.0.1:5432\n",
            "{0}:2: the last ingress rule must be a catch-all (a rule without hostname, e.g. `- service: reject`)"
        },
        {
            "bad-service",
            "ingress:\n  - hostname: a.test\n    service: tcp://127.0.0.1:5432\n  - hostname: b.test\n    service: ftp://127.0.0.1:21\n  - service: reject\n",
            "{0}:4: ingress rule 2: service 'ftp://127.0.0.1:21' has scheme 'ftp'; use tcp://"
        },
        {
            "invalid-yaml",
            "ingress:\n  - service: [reject\n",
            "{0}:3: not valid YAML"
        },
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(BadConfigs))]
    public async Task BadConfig_IsRefusedWithOneLineNamingTheProblem(string name, string yaml, string expected)
    {
        await using var cli = new DrawbridgeCli();
        string path = Path.Combine(cli.Scratch("config"), $"{name}.yml");
        await File.WriteAllTextAsync(path, yaml);

        await AssertRefusedAsync(cli, path, string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, path));
    }

    [Fact(Timeout = 120_000)]
    public async Task HugeConfig_IsRefusedBeforeParsing()
    {
        await using var cli = new DrawbridgeCli();
        string path = Path.Combine(cli.Scratch("config"), "huge.yml");
        await File.WriteAllTextAsync(path, "# " + new string('x', 2 * 1024 * 1024) + "\n");

        await AssertRefusedAsync(cli, path, $"{path}: {new FileInfo(path).Length} bytes is too large for a config file (limit 1048576)");
    }

    [Fact(Timeout = 300_000)]
    public async Task IngressRules_RouteEachHostnameToItsOriginAndRejectTheRest()
    {
        await using var originA = EchoServer.Start();
        await using var originB = EchoServer.Start();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("multi", "a.test", "b.test", "c.test");
        ServiceTokenPair token = await stack.CreateServiceTokenAsync();
        string directory = cli.Scratch("config");
        string credentials = Path.Combine(directory, "multi.json");
        await File.WriteAllTextAsync(credentials, tunnel.ToJson());
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            credentials-file: {credentials}
            ha-connections: 2
            ingress:
              - hostname: a.test
                service: tcp://127.0.0.1:{originA.Port}
              - hostname: b.test
                service: tcp://127.0.0.1:{originB.Port}
              - service: reject

            """);

        ExternalProcess connector = cli.Start(["tunnel", "run", "--config", config, "--edge", stack.EdgeAddress]);
        await DrawbridgeCli.WaitForAsync(connector, @"Registered tunnel link \d to edge", count: 2);
        await stack.WaitForLinksAsync(tunnel.TunnelId, 2);

        // stdin/stdout mode: the client sends stdin, half-closes, and prints what comes back.
        ProcessResult a = await AccessAsync(cli, stack, token, "a.test", "to a");
        ProcessResult b = await AccessAsync(cli, stack, token, "b.test", "to b");
        ProcessResult c = await AccessAsync(cli, stack, token, "c.test", "to c");

        Assert.True(a.ExitCode == 0 && a.StandardOutput == "to a", a.ToString());
        Assert.True(b.ExitCode == 0 && b.StandardOutput == "to b", b.ToString());
        Assert.Equal((1, 1), (originA.AcceptedConnections, originB.AcceptedConnections));
        Assert.True(c.ExitCode == 1, c.ToString());
        Assert.Contains("drawbridge: c.test: no_ingress_rule: the connector has no ingress rule for c.test", c.StandardError, StringComparison.Ordinal);
        await DrawbridgeCli.WaitForAsync(connector, @"Stream \d+ for c\.test refused: no ingress rule for c\.test \(rule 3, the catch-all, rejects it\)");
    }

    private static Task<ProcessResult> AccessAsync(DrawbridgeCli cli, DrawbridgeStack stack, ServiceTokenPair token, string hostname, string input) =>
        cli.RunAsync(["access", "tcp", "--hostname", hostname, .. DrawbridgeCli.AccessArguments(stack, token)], standardInput: input);

    [Fact(Timeout = 120_000)]
    public async Task IngressValidateAndRule_CheckTheFileWithoutRunning()
    {
        await using var cli = new DrawbridgeCli();
        string path = Path.Combine(cli.Scratch("config"), "config.yml");
        await File.WriteAllTextAsync(path, "ingress:\n  - hostname: db.example.com\n    service: tcp://127.0.0.1:5432\n  - hostname: \"*.redis.example.com\"\n    service: tcp://127.0.0.1:6379\n  - service: reject\n");

        Assert.Contains("OK: 3 ingress rule(s)", await cli.RunSucceedingAsync("tunnel", "ingress", "validate", "--config", path), StringComparison.Ordinal);
        string db = await cli.RunSucceedingAsync("tunnel", "ingress", "rule", "tcp://DB.example.com", "--config", path);
        Assert.Contains("Matched rule #1\n\thostname: db.example.com\n\tservice: tcp://127.0.0.1:5432", db, StringComparison.Ordinal);
        Assert.Contains("Matched rule #2", await cli.RunSucceedingAsync("tunnel", "ingress", "rule", "a.redis.example.com", "--config", path), StringComparison.Ordinal);
        Assert.Contains("Matched rule #3\n\thostname: (any: the catch-all)\n\tservice: reject",
            await cli.RunSucceedingAsync("tunnel", "ingress", "rule", "other.example.com", "--config", path), StringComparison.Ordinal);

        ProcessResult hostile = await cli.RunAsync(["tunnel", "ingress", "rule", "bad_name!", "--config", path]);
        Assert.Equal(1, hostile.ExitCode);
        Assert.Contains("'bad_name!'", hostile.StandardError, StringComparison.Ordinal);

        await File.WriteAllTextAsync(path, "ingress:\n  - hostname: a.test\n    service: tcp://127.0.0.1:1\n");
        ProcessResult invalid = await cli.RunAsync(["tunnel", "ingress", "validate", "--config", path]);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains($"{path}:2: the last ingress rule must be a catch-all", invalid.StandardError, StringComparison.Ordinal);
    }

    private static async Task AssertRefusedAsync(DrawbridgeCli cli, string path, string message)
    {
        ProcessResult result = await cli.RunAsync(["tunnel", "run", "--config", path]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"drawbridge: error: {message}", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
    }
}
