using System.Security.Cryptography;
using System.Text;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// OpenSSH with <c>ProxyCommand=drawbridge access tcp --hostname …</c> (stdin/stdout mode)
/// reaches a real sshd behind a tunnel, the way DESIGN.md promises for SSH.
/// </summary>
public sealed class SshCliTests
{
    private const string Hostname = "ssh.test";
    private static readonly TimeSpan SshTimeout = TimeSpan.FromSeconds(120);

    [Fact(Timeout = 300_000)]
    public async Task Ssh_ThroughAccessTcpAsProxyCommand_RunsARemoteCommand()
    {
        await using SshdFixture sshd = await SshdFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        ServiceTokenPair token = await StartTunnelAsync(stack, sshd);
        await using var cli = new DrawbridgeCli();
        string proxyCommand = DrawbridgeCli.ShellCommand(["access", "tcp", "--hostname", Hostname, .. DrawbridgeCli.AccessArguments(stack, token)]);

        ProcessResult result = await sshd.RunSshAsync(
            "echo hello-through-drawbridge; uname -s", proxyCommand, Hostname, SshTimeout, environment: cli.Environment());

        Assert.True(result.ExitCode == 0, $"{result}\n{sshd.Output}");
        Assert.Equal("hello-through-drawbridge\nLinux\n", result.StandardOutput);
        // ssh ends its ProxyCommand with SIGHUP; the client lets the relay finish, so the session ends cleanly.
        string line = await stack.Logs.WaitForAsync(l => l.Contains($"to {Hostname} by service-token:ssh from ", StringComparison.Ordinal), SshTimeout);
        Assert.Contains(": closed after", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Ssh_WithTheServiceTokenInTheEnvironment_Carries1MiBIntact()
    {
        await using SshdFixture sshd = await SshdFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        ServiceTokenPair token = await StartTunnelAsync(stack, sshd);
        await using var cli = new DrawbridgeCli();
        string proxyCommand = DrawbridgeCli.ShellCommand("access", "tcp", "--hostname", Hostname);
        var environment = cli.Environment(new Dictionary<string, string?>
        {
            ["DRAWBRIDGE_EDGE"] = stack.EdgeAddress,
            ["DRAWBRIDGE_CA_CERT"] = stack.CaPath,
            ["DRAWBRIDGE_SERVICE_TOKEN_ID"] = token.ClientId,
            ["DRAWBRIDGE_SERVICE_TOKEN_SECRET"] = token.Secret,
        });
        string payload = Convert.ToHexString(RandomNumberGenerator.GetBytes(512 * 1024)); // 1 MiB of text
        string expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(payload)));

        ProcessResult result = await sshd.RunSshAsync("sha256sum", proxyCommand, Hostname, SshTimeout, payload, environment);

        Assert.True(result.ExitCode == 0, $"{result}\n{sshd.Output}");
        Assert.Equal($"{expected}  -\n", result.StandardOutput);
    }

    [Fact(Timeout = 300_000)]
    public async Task Ssh_WithAnUnknownServiceToken_FailsAndTheProxyCommandSaysUnauthenticated()
    {
        await using SshdFixture sshd = await SshdFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        ServiceTokenPair token = await StartTunnelAsync(stack, sshd);
        await using var cli = new DrawbridgeCli();
        ServiceTokenPair wrong = token with { Secret = new string('0', token.Secret.Length) };
        string proxyCommand = DrawbridgeCli.ShellCommand(["access", "tcp", "--hostname", Hostname, .. DrawbridgeCli.AccessArguments(stack, wrong)]);

        ProcessResult result = await sshd.RunSshAsync("echo never", proxyCommand, Hostname, SshTimeout, environment: cli.Environment());

        Assert.True(result.ExitCode == 255, result.ToString()); // ssh's own failure code
        Assert.Equal("", result.StandardOutput);
        Assert.Contains($"drawbridge: {Hostname}: unauthenticated: ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    private static async Task<ServiceTokenPair> StartTunnelAsync(DrawbridgeStack stack, SshdFixture sshd)
    {
        var tunnel = await stack.CreateTunnelAsync("ssh", Hostname);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(sshd.Port));
        return await stack.CreateServiceTokenAsync("ssh");
    }
}
