using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>drawbridge access run --config access.yml</c> serving several forwards from one process,
/// and <c>access ssh-config</c> driving a real ssh to a real sshd.
/// </summary>
public sealed class AccessForwardsCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task ForwardConfig_TwoTunnelsEchoThroughOneProcess_AndARefusedHostnameDoesNotStopThem()
    {
        await using EchoServer first = EchoServer.Start();
        await using EchoServer second = EchoServer.Start();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await stack.StartConnectorAsync(await stack.CreateTunnelAsync("one", "one.test"), DrawbridgeStack.To(first.Port));
        await stack.StartConnectorAsync(await stack.CreateTunnelAsync("two", "two.test"), DrawbridgeStack.To(second.Port));
        ServiceTokenPair token = await stack.CreateServiceTokenAsync("forwards");
        await using var cli = new DrawbridgeCli();
        string config = Path.Combine(cli.Scratch("forwards"), "access.yml");
        int[] ports = [LoopbackPort.Reserve(), LoopbackPort.Reserve(), LoopbackPort.Reserve()];
        await File.WriteAllTextAsync(config, string.Join('\n',
            $"edge: {stack.EdgeAddress}",
            $"ca-cert: {stack.CaPath}",
            "forwards:",
            $"  - {{hostname: one.test, listen: 127.0.0.1:{ports[0]}, service-token-id: {token.ClientId}}}",
            $"  - {{hostname: two.test, listen: 'localhost:{ports[1]}', service-token-id: {token.ClientId}}}",
            $"  - {{hostname: nowhere.test, listen: 127.0.0.1:{ports[2]}, service-token-id: {token.ClientId}}}") + "\n");

        ExternalProcess process = cli.Start(["access", "run", "--config", config],
            new Dictionary<string, string?> { ["DRAWBRIDGE_SERVICE_TOKEN_SECRET"] = token.Secret });
        await DrawbridgeCli.WaitForAsync(process, "listening on ", count: 3);

        Assert.Equal("one", await DrawbridgeCli.ExchangeAsync(ports[0], "one", Timeout));
        Assert.Equal("", await DrawbridgeCli.ExchangeAsync(ports[2], "lost", Timeout));
        await DrawbridgeCli.WaitForAsync(process, "drawbridge: nowhere\\.test: [a-z_]+: ");
        Assert.Equal("two", await DrawbridgeCli.ExchangeAsync(ports[1], "two", Timeout));
        Assert.Equal("one again", await DrawbridgeCli.ExchangeAsync(ports[0], "one again", Timeout));
        Assert.False(process.HasExited, process.Output);
    }

    [Fact(Timeout = 300_000)]
    public async Task ForwardConfig_APortAlreadyTaken_RefusesToStartAndNamesTheLine()
    {
        await using EchoServer taken = EchoServer.Start();
        await using var cli = new DrawbridgeCli();
        string config = Path.Combine(cli.Scratch("taken"), "access.yml");
        int free = LoopbackPort.Reserve();
        await File.WriteAllTextAsync(config,
            $"forwards:\n  - hostname: a.test\n    listen: 127.0.0.1:{free}\n  - hostname: b.test\n    listen: 127.0.0.1:{taken.Port}\n");

        ProcessResult result = await cli.RunAsync(["access", "run", "--config", config]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"drawbridge: error: {config}:4: forward 2: listen 127.0.0.1:{taken.Port} is already in use: pick another port, or stop what listens there\n", result.StandardError);
        Assert.False(await LoopbackPort.IsAcceptingAsync(free, CancellationToken.None));
    }

    [Fact(Timeout = 300_000)]
    public async Task SshConfig_GeneratedStanza_TakesARealSshToSshd()
    {
        const string Hostname = "ssh.test";
        await using SshdFixture sshd = await SshdFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await stack.StartConnectorAsync(await stack.CreateTunnelAsync("ssh", Hostname), DrawbridgeStack.To(sshd.Port));
        ServiceTokenPair token = await stack.CreateServiceTokenAsync("ssh");
        await using var cli = new DrawbridgeCli();

        string stanza = await cli.RunSucceedingAsync("access", "ssh-config", "--hostname", Hostname,
            "--edge", stack.EdgeAddress, "--ca-cert", stack.CaPath, "--service-token-id", token.ClientId);

        Assert.DoesNotContain(token.Secret, stanza, StringComparison.Ordinal);
        Assert.StartsWith("# The service token secret is not written here: export DRAWBRIDGE_SERVICE_TOKEN_SECRET", stanza, StringComparison.Ordinal);
        Assert.Contains($"\nHost {Hostname}\n  ProxyCommand {DrawbridgeCli.DotnetPath} {DrawbridgeCli.DllPath} access tcp --hostname %h --edge {stack.EdgeAddress} --ca-cert {stack.CaPath} --service-token-id {token.ClientId}\n", stanza, StringComparison.Ordinal);

        string sshConfig = Path.Combine(cli.Scratch("ssh"), "config");
        await File.WriteAllTextAsync(sshConfig, stanza);
        List<string> arguments = [.. sshd.SshArguments("echo through-ssh-config", proxyCommand: null, host: Hostname)];
        arguments[arguments.IndexOf("/dev/null")] = sshConfig;
        ProcessResult result = await ExternalProcess.RunAsync("ssh", arguments, Timeout, null,
            cli.Environment(new Dictionary<string, string?> { ["DRAWBRIDGE_SERVICE_TOKEN_SECRET"] = token.Secret }));

        Assert.True(result.ExitCode == 0, $"{result}\n{sshd.Output}");
        Assert.Equal("through-ssh-config\n", result.StandardOutput);
    }
}
