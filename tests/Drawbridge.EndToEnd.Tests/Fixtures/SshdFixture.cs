using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A real OpenSSH server on 127.0.0.1 that accepts only a client key generated for this
/// fixture, logging in as the user running the tests (root in CI). Build ssh command lines
/// with <see cref="SshArguments"/> or run one with <see cref="RunSshAsync"/>, directly or
/// through a ProxyCommand such as <c>drawbridge access tcp</c> in stdio mode.
/// </summary>
internal sealed class SshdFixture : IAsyncDisposable
{
    /// <summary>Debian's path; sshd must be started by absolute path to re-exec itself.</summary>
    public const string SshdPath = "/usr/sbin/sshd";

    private static readonly TimeSpan DefaultSshTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan KeygenTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory directory;
    private readonly ExternalProcess sshd;

    private SshdFixture(TempDirectory directory, ExternalProcess sshd, int port, string clientKeyPath)
    {
        this.directory = directory;
        this.sshd = sshd;
        Port = port;
        ClientKeyPath = clientKeyPath;
    }

    public int Port { get; }

    /// <summary>The private key sshd accepts (OpenSSH format, mode 0600, no passphrase).</summary>
    public string ClientKeyPath { get; }

    /// <summary>The account ssh logs in as: the user running the tests.</summary>
    public string UserName => Environment.UserName;

    /// <summary>sshd's log so far (LogLevel VERBOSE, on stderr), for failure messages.</summary>
    public string Output => sshd.Output;

    public static async Task<SshdFixture> StartAsync()
    {
        var directory = TempDirectory.Create("drawbridge-sshd-");
        try
        {
            string hostKey = directory.Combine("ssh_host_ed25519_key");
            string clientKey = directory.Combine("client_ed25519");
            await GenerateKeyAsync(hostKey);
            await GenerateKeyAsync(clientKey);
            string authorizedKeys = directory.WriteFile(
                "authorized_keys", await File.ReadAllTextAsync(clientKey + ".pub"));

            // sshd refuses to start as root without its privilege separation directory,
            // which only exists on machines where the sshd service has run.
            if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
            {
                Directory.CreateDirectory(
                    "/run/sshd",
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            (ExternalProcess sshd, int port) = await ExternalProcess.StartListeningAsync(
                port =>
                {
                    string config = directory.WriteFile(
                        "sshd_config", BuildConfig(port, hostKey, authorizedKeys, directory.Combine("sshd.pid")));
                    return ExternalProcess.Start(SshdPath, ["-D", "-e", "-f", config]);
                },
                SendsSshBannerAsync);
            return new SshdFixture(directory, sshd, port, clientKey);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Arguments for <c>ssh</c> that run <paramref name="command"/> as <see cref="UserName"/>
    /// with this fixture's key and no user or system configuration. With a
    /// <paramref name="proxyCommand"/> (run by ssh through the shell; %h and %p expand to
    /// <paramref name="host"/> and 22), ssh talks to sshd through it; without one, ssh
    /// connects to 127.0.0.1:<see cref="Port"/> directly.
    /// </summary>
    public IReadOnlyList<string> SshArguments(string command, string? proxyCommand = null, string host = "127.0.0.1")
    {
        List<string> arguments =
        [
            "-F", "/dev/null",
            "-i", ClientKeyPath,
            "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes",
            // Keeps "Permanently added ... to the list of known hosts" out of stderr.
            "-o", "LogLevel=ERROR",
        ];
        if (proxyCommand is null)
        {
            arguments.AddRange(["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        else
        {
            arguments.AddRange(["-o", "ProxyCommand=" + proxyCommand]);
        }

        arguments.AddRange([$"{UserName}@{host}", command]);
        return arguments;
    }

    /// <summary>
    /// Runs <c>ssh</c> with <see cref="SshArguments"/>, feeding it <paramref name="standardInput"/>
    /// (then EOF), and returns how it ended. Kills it and throws after <paramref name="timeout"/>
    /// (default 60 s).
    /// </summary>
    public Task<ProcessResult> RunSshAsync(
        string command,
        string? proxyCommand = null,
        string host = "127.0.0.1",
        TimeSpan? timeout = null,
        string? standardInput = null,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        ExternalProcess.RunAsync(
            "ssh", SshArguments(command, proxyCommand, host), timeout ?? DefaultSshTimeout, standardInput, environment);

    public async ValueTask DisposeAsync()
    {
        await sshd.DisposeAsync();
        directory.Dispose();
    }

    private static async Task GenerateKeyAsync(string path)
    {
        ProcessResult result = await ExternalProcess.RunAsync(
            "ssh-keygen", ["-q", "-N", "", "-t", "ed25519", "-C", "drawbridge-e2e", "-f", path], KeygenTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen failed:\n{result}");
        }
    }

    private static string BuildConfig(int port, string hostKey, string authorizedKeys, string pidFile) =>
        $"""
        ListenAddress 127.0.0.1
        Port {port}
        HostKey {hostKey}
        AuthorizedKeysFile {authorizedKeys}
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        StrictModes no
        PermitRootLogin yes
        PidFile {pidFile}
        LogLevel VERBOSE
        UseDNS no
        PrintMotd no
        PrintLastLog no
        # Tests may open many sessions at once; the default (10:30:100) drops some at random.
        MaxStartups 100
        MaxSessions 100
        Subsystem sftp internal-sftp

        """;

    // The server's identification line (RFC 4253 section 4.2) proves sshd itself is
    // answering, not some other program that took the port first.
    private static async Task<bool> SendsSshBannerAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var buffer = new byte[8];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return Encoding.ASCII.GetString(buffer) == "SSH-2.0-";
    }
}
