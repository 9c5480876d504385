using System.Globalization;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// A real Redis behind a tunnel, reached by <c>redis-cli</c> and <c>redis-benchmark</c> through a
/// <c>drawbridge access tcp --url</c> listener process.
/// </summary>
public sealed partial class RedisCliTests
{
    private const string Hostname = "redis.test";

    [Fact(Timeout = 300_000)]
    public async Task RedisCli_SetThenGet_ThroughTheAccessListener()
    {
        await using RedisFixture redis = await RedisFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        int port = await StartAccessToRedisAsync(stack, cli, redis);

        ProcessResult set = await RedisFixture.RunCliAsync(port, "SET", "k", "v");
        ProcessResult get = await RedisFixture.RunCliAsync(port, "GET", "k");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("OK", set.StandardOutput.Trim());
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("v", get.StandardOutput.Trim());
        Assert.Equal("v", (await RedisFixture.RunCliAsync(redis.Port, "GET", "k")).StandardOutput.Trim()); // it really is that Redis
    }

    [Fact(Timeout = 300_000)]
    public async Task RedisBenchmark_TenConnections_CompletesEveryTestWithAPositiveRate()
    {
        await using RedisFixture redis = await RedisFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        int port = await StartAccessToRedisAsync(stack, cli, redis);

        ProcessResult benchmark = await ExternalProcess.RunAsync(
            "redis-benchmark",
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-n", "2000", "-c", "10", "-t", "ping,set,get", "-q"],
            TimeSpan.FromSeconds(180));

        Assert.True(benchmark.ExitCode == 0, benchmark.ToString());
        // -q prints progress lines ended by \r, then one "NAME: N requests per second, …" line per test.
        Dictionary<string, double> rates = benchmark.StandardOutput.Split('\r', '\n')
            .Select(line => RateLine().Match(line))
            .Where(match => match.Success)
            .ToDictionary(match => match.Groups[1].Value, match => double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Contains("SET", rates.Keys);
        Assert.Contains("GET", rates.Keys);
        Assert.Contains(rates.Keys, name => name.StartsWith("PING_", StringComparison.Ordinal));
        Assert.All(rates, rate => Assert.True(rate.Value > 0, $"{rate.Key}: {rate.Value} requests per second\n{benchmark}"));
    }

    /// <summary>Tunnel redis.test → Redis with an in-process edge and connector, then an access listener process.</summary>
    private static async Task<int> StartAccessToRedisAsync(DrawbridgeStack stack, DrawbridgeCli cli, RedisFixture redis)
    {
        var tunnel = await stack.CreateTunnelAsync("redis", Hostname);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(redis.Port));
        ServiceTokenPair token = await stack.CreateServiceTokenAsync("redis");
        (_, int port) = await cli.StartAccessAsync(Hostname, DrawbridgeCli.AccessArguments(stack, token));
        return port;
    }

    [GeneratedRegex(@"^([A-Z_]+): ([0-9.]+) requests per second")]
    private static partial Regex RateLine();
}
