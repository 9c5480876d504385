using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>drawbridge doctor</c> as a process against an in-process edge: every step passes on a good
/// path, and each broken layer (name, TCP, TLS trust, no connector) is the one named, with what to do.
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
}
