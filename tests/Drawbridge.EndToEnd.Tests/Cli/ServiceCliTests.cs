using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary><c>service install|uninstall</c> into a temp <c>--root</c>: the units' content, the secret copies' modes, and refusals that write nothing.</summary>
[UnsupportedOSPlatform("windows")] // file modes; the end-to-end tests run on Linux
public sealed class ServiceCliTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact(Timeout = 300_000)]
    public async Task ConnectorUnit_IsANotifyServiceWithAnOwnerOnlyCredentialCopy_AndUninstallRemovesBoth()
    {
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync();
        await using var cli = new DrawbridgeCli();
        var tunnel = await stack.CreateTunnelAsync("unit", "unit.test");
        string root = cli.Scratch("root");

        string installed = await cli.RunSucceedingAsync("service", "install", "--root", root, "--token", tunnel.ToToken(),
            "--url", "tcp://127.0.0.1:5432", "--watchdog", "30s", "--user", "nobody");

        string unitPath = Path.Combine(root, "etc/systemd/system/drawbridge-connector.service");
        string credentials = Path.Combine(root, "etc/drawbridge/drawbridge-connector/credentials.json");
        string unit = await File.ReadAllTextAsync(unitPath);
        Assert.Contains($"Wrote {unitPath}", installed, StringComparison.Ordinal);
        Assert.Contains("systemctl daemon-reload && systemctl enable --now drawbridge-connector", installed, StringComparison.Ordinal);
        foreach (string line in (string[])["Type=notify", "NotifyAccess=main", "Restart=on-failure", "User=nobody", "WatchdogSec=30s",
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "WantedBy=multi-user.target"])
        {
            Assert.Contains(line + "\n", unit, StringComparison.Ordinal);
        }

        Assert.Contains($"{DrawbridgeCli.DllPath} tunnel run --credentials-file /etc/drawbridge/drawbridge-connector/credentials.json --url tcp://127.0.0.1:5432\n", unit, StringComparison.Ordinal);
        Assert.Matches("(?m)^ExecStart=/\\S*/dotnet /", unit); // the absolute runtime, then the dll
        Assert.DoesNotContain("AmbientCapabilities", unit, StringComparison.Ordinal);
        Assert.DoesNotContain(tunnel.ToToken(), unit, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(credentials));
        Assert.Contains(tunnel.TunnelId.ToString(), await File.ReadAllTextAsync(credentials), StringComparison.Ordinal);
        if (Environment.UserName == "root")
        {
            ProcessResult owner = await ExternalProcess.RunAsync("stat", ["-c", "%U", credentials], DrawbridgeCli.CommandTimeout);
            Assert.Equal("nobody", owner.StandardOutput.Trim());
        }

        ProcessResult again = await cli.RunAsync(["service", "install", "--root", root, "--token", tunnel.ToToken(), "--url", "tcp://127.0.0.1:1", "--user", "nobody"]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.StandardError, StringComparison.Ordinal);
        Assert.Equal(unit, await File.ReadAllTextAsync(unitPath));

        string removed = await cli.RunSucceedingAsync("service", "uninstall", "--root", root);
        Assert.Contains($"Removed {unitPath}", removed, StringComparison.Ordinal);
        Assert.False(File.Exists(unitPath));
        Assert.False(Directory.Exists(Path.GetDirectoryName(credentials)));
        ProcessResult notInstalled = await cli.RunAsync(["service", "uninstall", "--root", root]);
        Assert.Equal(1, notInstalled.ExitCode);
        Assert.Contains("drawbridge-connector is not installed", notInstalled.StandardError, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task EdgeUnit_BindsPort443WithACapability_AndWritesOnlyItsDataDirectory()
    {
        await using var cli = new DrawbridgeCli();
        string data = cli.Scratch("edge");
        await cli.RunSucceedingAsync("edge", "init", "--data-dir", data, "--hostname", "edge.test");
        string root = cli.Scratch("root");

        string installed = await cli.RunSucceedingAsync("service", "install", "--edge", "--root", root, "--data-dir", data, "--name", "edge-a", "--user", "nobody");

        string unitPath = Path.Combine(root, "etc/systemd/system/edge-a.service");
        string unit = await File.ReadAllTextAsync(unitPath);
        Assert.Contains("systemctl enable --now edge-a", installed, StringComparison.Ordinal);
        Assert.Matches($"(?m)^ExecStart=/\\S*/dotnet {Regex.Escape(DrawbridgeCli.DllPath)} edge run --data-dir {Regex.Escape(data)}$", unit);
        Assert.Contains($"ReadWritePaths={data}\n", unit, StringComparison.Ordinal);
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE\n", unit, StringComparison.Ordinal);
        Assert.Contains("Type=notify\n", unit, StringComparison.Ordinal);
        Assert.DoesNotContain("WatchdogSec", unit, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(unitPath));

        await cli.RunSucceedingAsync("service", "install", "--edge", "--root", root, "--data-dir", data, "--name", "edge-a", "--user", "nobody", "--force", "--watchdog", "1m");
        Assert.Contains("WatchdogSec=60s\n", await File.ReadAllTextAsync(unitPath), StringComparison.Ordinal);
        string removed = await cli.RunSucceedingAsync("service", "uninstall", "--edge", "--root", root, "--name", "edge-a");
        Assert.Contains($"Removed {unitPath}", removed, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "edge.json")), "the data directory stays");
    }

    [Theory(Timeout = 120_000)]
    [InlineData("unknown flag", "--bogus")]
    [InlineData("is relative", "--root", "relative/dir")]
    [InlineData("--name 'a/b'", "--name", "a/b")]
    [InlineData("--name 'a b'", "--name", "a b")]
    [InlineData("no such file", "--credentials-file", "/nonexistent/creds.json")]
    [InlineData("--data-dir is for the edge", "--data-dir", "/var/lib/x")]
    public async Task BadInput_GetsOneLineAndWritesNothing(string expected, params string[] arguments)
    {
        await using var cli = new DrawbridgeCli();
        string root = cli.Scratch("root");
        string[] defaults = arguments.Contains("--root") ? [] : ["--root", root];

        ProcessResult result = await cli.RunAsync(["service", "install", "--url", "tcp://127.0.0.1:1", .. defaults, .. arguments]);

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected.Replace("unknown flag", "--bogus", StringComparison.Ordinal), error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }
}
