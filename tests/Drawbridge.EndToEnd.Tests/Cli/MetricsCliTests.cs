using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Testing;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>edge run --metrics</c> and <c>tunnel run --metrics</c> as processes: bytes through a stream,
/// a wrong secret and a token the policy does not name, then both <c>/metrics</c> scraped over
/// HTTP and read as Prometheus would; and a bad <c>--metrics</c> refused before anything starts.
/// </summary>
public sealed partial class MetricsCliTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 400_000)]
    public async Task EdgeAndConnector_ExportWhatCrossedThem()
    {
        await using var echo = EchoServer.Start();
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        // The edge's listener comes from the variable, the connector's from the flag; port 0 picks one and the log says which.
        (ExternalProcess edge, int edgePort) = await cli.StartEdgeAsync(data, environment: new Dictionary<string, string?> { ["DRAWBRIDGE_METRICS"] = "127.0.0.1:0" });
        string edgeMetrics = MetricsAddress(edge);
        string edgeAddress = $"127.0.0.1:{edgePort}";
        string[] admin = ["--admin-credential", Path.Combine(data, "admin.json")];
        await cli.RunSucceedingAsync(["tunnel", "create", "db", .. admin]);
        await cli.RunSucceedingAsync(["tunnel", "route", "dns", "db", "db.test", .. admin]);
        string tunnelToken = (await cli.RunSucceedingAsync(["tunnel", "token", "db", .. admin])).Trim();
        await cli.RunSucceedingAsync(["app", "create", "db.test", .. admin]);
        (string ciId, string ciSecret) = await CreateServiceTokenAsync(cli, "ci", admin);
        (string otherId, string otherSecret) = await CreateServiceTokenAsync(cli, "other", admin);
        await cli.RunSucceedingAsync(["policy", "add", "db.test", "--action", "service-auth", "--include", "service-token:ci", .. admin]);

        ExternalProcess connector = cli.Start(
            ["tunnel", "run", "--token", tunnelToken, "--url", $"tcp://127.0.0.1:{echo.Port}", "--edge", edgeAddress, "--ha-connections", "2", "--metrics", "127.0.0.1:0"]);
        await DrawbridgeCli.WaitForAsync(connector, @"Registered tunnel link \d to edge", count: 2);
        await DrawbridgeCli.WaitForAsync(edge, @"Registered tunnel link \d of tunnel", count: 2);
        string connectorMetrics = MetricsAddress(connector);

        // 1. Bytes through one stream; 2. a wrong secret; 3. a valid token no policy names.
        string payload = new('x', 5000);
        string[] reach = ["--edge", edgeAddress, "--ca-cert", Path.Combine(data, "ca.pem")];
        ProcessResult carried = await cli.RunAsync(["access", "tcp", "--hostname", "db.test", .. reach, "--service-token-id", ciId, "--service-token-secret", ciSecret], standardInput: payload);
        Assert.True(carried.ExitCode == 0 && carried.StandardOutput == payload, carried.ToString());
        string wrongSecret = ciSecret[..^1] + (ciSecret[^1] == '0' ? '1' : '0');
        ProcessResult wrong = await cli.RunAsync(["access", "tcp", "--hostname", "db.test", .. reach, "--service-token-id", ciId, "--service-token-secret", wrongSecret], standardInput: "x");
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        ProcessResult denied = await cli.RunAsync(["access", "tcp", "--hostname", "db.test", .. reach, "--service-token-id", otherId, "--service-token-secret", otherSecret], standardInput: "x");
        Assert.True(denied.ExitCode == 1 && denied.StandardError.Contains("denied", StringComparison.Ordinal), denied.ToString());
        await DrawbridgeCli.WaitForAsync(edge, @"Connection \S+ to db\.test by service-token:ci from \S+( over \S+)?: closed after \d+ ms, 5000 bytes up, 5000 bytes down");
        await DrawbridgeCli.WaitForAsync(connector, @"Stream \d+ for db\.test .*5000 bytes up, 5000 bytes down");
        await DrawbridgeCli.WaitForAsync(edge, "Refused connection to db.test", count: 2);

        // 4. Both listeners, scraped as Prometheus does.
        using var http = new HttpClient { Timeout = Limit };
        PrometheusText edgeText = PrometheusText.Parse(await http.GetStringAsync($"http://{edgeMetrics}/metrics"));
        Assert.Equal(2, edgeText.Value("drawbridge_edge_connector_links"));
        Assert.Equal(1, edgeText.Value("drawbridge_edge_streams_total", ("outcome", "closed")));
        Assert.Equal(0, edgeText.Value("drawbridge_edge_streams_open"));
        Assert.True(edgeText.Value("drawbridge_edge_bytes_total", ("direction", "up")) >= payload.Length);
        Assert.True(edgeText.Value("drawbridge_edge_bytes_total", ("direction", "down")) >= payload.Length);
        Assert.Equal(1, edgeText.Value("drawbridge_edge_stream_open_duration_seconds_count", ("outcome", "opened")));
        Assert.True(edgeText.Value("drawbridge_edge_stream_open_duration_seconds_sum", ("outcome", "opened")) > 0);
        Assert.Equal(1, edgeText.Value("drawbridge_edge_access_refusals_total", ("outcome", "unauthenticated"), ("reason", "bad_service_token")));
        Assert.Equal(1, edgeText.Value("drawbridge_edge_access_refusals_total", ("outcome", "denied"), ("reason", "no_allowing_policy")));
        Assert.Equal(1, edgeText.Value("drawbridge_edge_policy_decisions_total", ("app", "db.test"), ("decision", "allow"), ("policy_action", "service-auth")));
        Assert.Equal(1, edgeText.Value("drawbridge_edge_policy_decisions_total", ("app", "db.test"), ("decision", "deny"), ("policy_action", "none")));
        Assert.Equal(1, edgeText.Sum("target_info", ("service_name", "drawbridge-edge")));

        PrometheusText connectorText = PrometheusText.Parse(await http.GetStringAsync($"http://{connectorMetrics}/metrics"));
        Assert.Equal(2, connectorText.Value("drawbridge_connector_links_registered"));
        Assert.Equal(2, connectorText.Value("drawbridge_connector_links_ready"));
        Assert.True(connectorText.Value("drawbridge_connector_link_connects_total") >= 2);
        Assert.Equal(1, connectorText.Value("drawbridge_connector_streams_total"));
        Assert.Equal(0, connectorText.Value("drawbridge_connector_streams_open"));
        Assert.True(connectorText.Value("drawbridge_connector_bytes_total", ("direction", "up")) >= payload.Length);
        Assert.True(connectorText.Value("drawbridge_connector_bytes_total", ("direction", "down")) >= payload.Length);
        Assert.Equal(1, connectorText.Value("drawbridge_connector_origin_dial_duration_seconds_count", ("outcome", "opened")));
        Assert.Equal(1, connectorText.Sum("target_info", ("service_name", "drawbridge-connector")));

        using HttpResponseMessage edgeReady = await http.GetAsync($"http://{edgeMetrics}/ready");
        using HttpResponseMessage connectorReady = await http.GetAsync($"http://{connectorMetrics}/ready");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (edgeReady.StatusCode, connectorReady.StatusCode));
        Assert.Equal("{\"readyLinks\":2}", await connectorReady.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string[], string, string> BadMetrics => new()
    {
        { "a name", ["--metrics", "localhost:9090"], "", "--metrics 'localhost:9090': the address must be an IP address, not a name" },
        { "a port out of range", ["--metrics", "127.0.0.1:65536"], "", "--metrics '127.0.0.1:65536': the port must be a number from 0 to 65535" },
        { "no port", [], "127.0.0.1", "DRAWBRIDGE_METRICS '127.0.0.1': no port" },
        { "bare IPv6", [], "::1:9090", "DRAWBRIDGE_METRICS '::1:9090': an IPv6 address goes in brackets" },
        { "oversized", ["--metrics", "127.0.0.1:" + new string('9', 10_000)], "", "--metrics '127.0.0.1:99999" },
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(BadMetrics))]
    public async Task EdgeRun_WithABadMetricsAddress_FailsWithOneLineNamingTheSource(string why, string[] flags, string variable, string expected)
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.RunSucceedingAsync("edge", "init", "--data-dir", data, "--hostname", "edge.test", "--port", "8443");

        ProcessResult run = await cli.RunAsync(["edge", "run", "--data-dir", data, "--listen", $"127.0.0.1:{LoopbackPort.Reserve()}", .. flags],
            variable.Length == 0 ? null : new Dictionary<string, string?> { ["DRAWBRIDGE_METRICS"] = variable });

        AssertRefused(run, expected, why);
    }

    [Fact(Timeout = 120_000)]
    public async Task EdgeRun_WithABadMetricsKeyInEdgeYml_FailsNamingTheFileAndLine()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.RunSucceedingAsync("edge", "init", "--data-dir", data, "--hostname", "edge.test", "--port", "8443");
        string config = Path.Combine(data, "edge.yml");
        await File.WriteAllTextAsync(config, $"listen: 127.0.0.1:{LoopbackPort.Reserve()}\nmetrics: prometheus.internal:9090\n");

        ProcessResult run = await cli.RunAsync(["edge", "run", "--data-dir", data]);

        AssertRefused(run, $"{config}:2: 'metrics': the address must be an IP address, not a name", "a name in edge.yml");
    }

    [Fact(Timeout = 120_000)]
    public async Task EdgeRun_OnAMetricsPortInUse_FailsWithOneLine()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.RunSucceedingAsync("edge", "init", "--data-dir", data, "--hostname", "edge.test", "--port", "8443");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        ProcessResult run = await cli.RunAsync(["edge", "run", "--data-dir", data, "--listen", $"127.0.0.1:{LoopbackPort.Reserve()}", "--metrics", $"127.0.0.1:{port}"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"drawbridge: error: Failed to bind to address http://127.0.0.1:{port}: address already in use", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
    }

    private static void AssertRefused(ProcessResult run, string expected, string why)
    {
        Assert.True(run.ExitCode == 1, $"{why}: {run}");
        string error = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"drawbridge: error: {expected}", error, StringComparison.Ordinal);
        Assert.True(error.Length < 400, $"{why}: the error echoes too much: {error.Length} characters");
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The bound address the process logged for its metrics listener.</summary>
    private static string MetricsAddress(ExternalProcess process)
    {
        Match listening = MetricsListening().Match(process.Output);
        Assert.True(listening.Success, process.Output);
        return listening.Groups[1].Value;
    }

    [GeneratedRegex(@"Metrics and readiness on http://(127\.0\.0\.1:\d+)/metrics")]
    private static partial Regex MetricsListening();

    private static async Task<(string ClientId, string ClientSecret)> CreateServiceTokenAsync(DrawbridgeCli cli, string name, string[] admin)
    {
        using JsonDocument created = JsonDocument.Parse(await cli.RunSucceedingAsync(["service-token", "create", name, "-o", "json", .. admin]));
        return (created.RootElement.GetProperty("clientId").GetString()!, created.RootElement.GetProperty("clientSecret").GetString()!);
    }
}
