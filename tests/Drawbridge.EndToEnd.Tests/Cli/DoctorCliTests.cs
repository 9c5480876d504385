using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>drawbridge doctor</c> as a process against an in-process edge: every step passes on a good
/// path, directly or through a real HTTP proxy (tinyproxy, picked up from <c>HTTPS_PROXY</c>), and
/// each broken layer (name, TCP, proxy, TLS trust, no connector) is the one named, with what to do.
/// </summary>
public sealed class DoctorCliTests : IAsyncLifetime
{
    private EchoServer _echo = null!;
    private DrawbridgeStack _stack = null!;
    private ServiceTokenPair _token = null!;
    private DrawbridgeCli _cli = null!;

    public async Task InitializeAsync()
    {
        _echo = EchoServer.Start();
        _stack = await DrawbridgeStack.StartAsync();
        var tunnel = await _stack.CreateTunnelAsync("db", "db.test", "offline.test");
        await _stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(_echo.EndPoint));
        await _stack.CreateTunnelAsync("offline", "nobody.test");
        _token = await _stack.CreateServiceTokenAsync();
        _cli = new DrawbridgeCli();
    }

    public async Task DisposeAsync()
    {
        await _cli.DisposeAsync();
        await _stack.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task AGoodPath_PassesEveryStep()
    {
        ProcessResult result = await _cli.RunAsync(["doctor", "--hostname", "db.test", .. DrawbridgeCli.AccessArguments(_stack, _token)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string step in new[] { "name resolution:", "TCP to port", "TLS trust:", "clock skew:", "test connection to db.test:" })
        {
            Assert.Contains("[ ok ] " + step, result.StandardOutput, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("[FAIL]", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("db.test is reachable from here.", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AnUntrustedCertificate_FailsAtTlsTrust_SayingToPassTheCa()
    {
        ProcessResult result = await _cli.RunAsync(["doctor", "--hostname", "db.test", "--edge", _stack.EdgeAddress]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("[FAIL] TLS trust:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("pass --ca-cert ca.pem", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("clock skew", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task NothingListening_FailsAtTcp()
    {
        int port = LoopbackPort.Reserve();

        ProcessResult result = await _cli.RunAsync(["doctor", "--hostname", "db.test", "--edge", $"127.0.0.1:{port}", "--ca-cert", _stack.CaPath]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"[FAIL] TCP to port {port}:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("nothing listens on 127.0.0.1", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AnUnresolvableName_FailsAtNameResolution()
    {
        ProcessResult result = await _cli.RunAsync(["doctor", "--hostname", "db.test", "--edge", "edge.invalid:443"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("[FAIL] name resolution: cannot resolve edge.invalid", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AnAppWithoutAConnector_FailsAtTheTestConnection_NamingTheOutcome()
    {
        ProcessResult result = await _cli.RunAsync(["doctor", "--hostname", "nobody.test", .. DrawbridgeCli.AccessArguments(_stack, _token)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("[ ok ] clock skew", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[FAIL] test connection to nobody.test: no_connector", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("drawbridge tunnel run", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task ThroughARealProxy_PassesEveryStep_AndSaysItUsedTheProxy()
    {
        await using TinyproxyFixture proxy = await TinyproxyFixture.StartAsync();

        ProcessResult result = await _cli.RunAsync(
            ["doctor", "--hostname", "db.test", .. DrawbridgeCli.AccessArguments(_stack, _token)], BehindProxy(proxy.ProxyUri));

        Assert.True(result.ExitCode == 0, result + proxy.Output);
        string edge = $"127.0.0.1:{_stack.Edge.Port}";
        Assert.Contains("[ ok ] name resolution: the proxy 127.0.0.1 is an address", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"[ ok ] TCP to the proxy: connected to 127.0.0.1:{proxy.Port}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"[ ok ] proxy: 127.0.0.1:{proxy.Port} opened a tunnel (CONNECT) to {edge}", result.StandardOutput, StringComparison.Ordinal);
        foreach (string step in new[] { "TLS trust:", "clock skew:", "test connection to db.test:" })
        {
            Assert.Contains("[ ok ] " + step, result.StandardOutput, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("[FAIL]", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("TCP to port", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("db.test is reachable from here.", result.StandardOutput, StringComparison.Ordinal);

        // The proxy step, the TLS step and the test connection: each its own CONNECT to the edge.
        await proxy.WaitForConnectRequestsAsync(3, TimeSpan.FromSeconds(30));
        Assert.Contains($"CONNECT {edge} HTTP/1.1", proxy.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AProxyThatRefusesConnectToTheEdgePort_FailsAtTheProxyStep_SayingWhatToDo()
    {
        // Like most corporate proxies: CONNECT to 443 only, and this edge listens elsewhere.
        await using TinyproxyFixture proxy = await TinyproxyFixture.StartAsync(443);

        ProcessResult result = await _cli.RunAsync(
            ["doctor", "--hostname", "db.test", .. DrawbridgeCli.AccessArguments(_stack, _token)], BehindProxy(proxy.ProxyUri));

        Assert.True(result.ExitCode == 1, result.ToString());
        string edge = $"127.0.0.1:{_stack.Edge.Port}";
        Assert.Contains($"[ ok ] TCP to the proxy: connected to 127.0.0.1:{proxy.Port}", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"[FAIL] proxy: the proxy 127.0.0.1:{proxy.Port} refused CONNECT to {edge}: HTTP/1.1 403 Access violation", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"what to do: ask the proxy's administrator to allow CONNECT to port {_stack.Edge.Port}", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("TLS trust", result.StandardOutput, StringComparison.Ordinal);
        await proxy.WaitForConnectRequestsAsync(1, TimeSpan.FromSeconds(30));
    }

    [Fact(Timeout = 120_000)]
    public async Task AProxyAddressWithNothingListening_FailsAtTcpToTheProxy()
    {
        int closed = LoopbackPort.Reserve();

        ProcessResult result = await _cli.RunAsync(
            ["doctor", "--hostname", "db.test", .. DrawbridgeCli.AccessArguments(_stack, _token)], BehindProxy(new Uri($"http://127.0.0.1:{closed}")));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"[FAIL] TCP to the proxy: 127.0.0.1:{closed}: ConnectionRefused", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"what to do: nothing listens on 127.0.0.1:{closed}: is the proxy running there?", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("[ ok ] proxy", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("TLS trust", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AnUnresolvableProxy_FailsAtNameResolution_PointingAtHttpsProxy()
    {
        ProcessResult result = await _cli.RunAsync(
            ["doctor", "--hostname", "db.test", .. DrawbridgeCli.AccessArguments(_stack, _token)], BehindProxy(new Uri("http://proxy.invalid:3128")));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("[FAIL] name resolution: cannot resolve the proxy proxy.invalid", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("what to do: check the proxy's address in HTTPS_PROXY", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AProxyBypassedByNoProxy_IsNotUsed()
    {
        int closed = LoopbackPort.Reserve();
        var environment = new Dictionary<string, string?>(BehindProxy(new Uri($"http://127.0.0.1:{closed}"))) { ["NO_PROXY"] = "127.0.0.1" };

        ProcessResult result = await _cli.RunAsync(["doctor", "--hostname", "db.test", .. DrawbridgeCli.AccessArguments(_stack, _token)], environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"[ ok ] TCP to port {_stack.Edge.Port}:", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy", result.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>The proxy as the CLI finds it: in <c>HTTPS_PROXY</c>, as curl and Go read it.</summary>
    private static Dictionary<string, string?> BehindProxy(Uri proxy) => new() { ["HTTPS_PROXY"] = proxy.ToString() };
}
