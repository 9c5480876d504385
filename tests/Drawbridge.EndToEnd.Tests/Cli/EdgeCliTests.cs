using System.Runtime.Versioning;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary><c>drawbridge edge init</c> and <c>edge run</c>, as separate processes with an isolated home.</summary>
[UnsupportedOSPlatform("windows")] // file modes; the end-to-end tests run on Linux
public sealed class EdgeCliTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact(Timeout = 120_000)]
    public async Task Init_PrintsThePathsAndWritesAnOwnerOnlyAdminCredential()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        int port = LoopbackPort.Reserve();

        string output = await cli.RunSucceedingAsync(
            "edge", "init", "--data-dir", data, "--hostname", "edge.test", "--port", DrawbridgeCli.Invariant(port));

        Assert.Contains($"Initialised the edge in {data} for https://edge.test:{port}", output, StringComparison.Ordinal);
        Assert.Contains($"CA certificate (give it to users and connectors): {data}/ca.pem", output, StringComparison.Ordinal);
        Assert.Contains($"Admin credential: {data}/admin.json", output, StringComparison.Ordinal);
        Assert.Contains($"copied to {cli.ConfigDirectory}/admin.json", output, StringComparison.Ordinal);
        Assert.Contains($"Next: drawbridge edge run --data-dir {data}", output, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, "admin.json")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(cli.ConfigDirectory, "admin.json")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, "ca-key.pem")));
        Assert.Contains($"\"https://edge.test:{port}\"", await File.ReadAllTextAsync(Path.Combine(data, "admin.json")), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task InitTwice_WithoutForce_FailsClearlyAndChangesNothing()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.RunSucceedingAsync("edge", "init", "--data-dir", data, "--hostname", "edge.test", "--port", "8443");
        string[] files = ["admin.json", "edge.json", "ca.pem", "ca-key.pem"];
        byte[][] before = [.. files.Select(f => File.ReadAllBytes(Path.Combine(data, f)))];
        byte[] userCopy = await File.ReadAllBytesAsync(Path.Combine(cli.ConfigDirectory, "admin.json"));

        ProcessResult second = await cli.RunAsync(["edge", "init", "--data-dir", data, "--hostname", "other.test", "--port", "9443"]);

        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains($"drawbridge: error: {data} is already initialised (it has edge.json); pass --force to re-initialise it", second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.StandardError, StringComparison.Ordinal);
        Assert.Equal("", second.StandardOutput);
        for (int i = 0; i < files.Length; i++)
        {
            Assert.True(before[i].SequenceEqual(File.ReadAllBytes(Path.Combine(data, files[i]))), $"{files[i]} changed");
        }

        Assert.Equal(userCopy, await File.ReadAllBytesAsync(Path.Combine(cli.ConfigDirectory, "admin.json")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_ServesTheAdminApiOnTheInitialisedPort()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");

        (ExternalProcess edge, int port) = await cli.StartEdgeAsync(data);

        Assert.Contains($"Edge listening on 127.0.0.1:{port} as localhost", edge.StandardError, StringComparison.Ordinal);
        Assert.Equal("", edge.StandardOutput); // logs go to stderr
        string list = await cli.RunSucceedingAsync("tunnel", "list", "--admin-credential", Path.Combine(data, "admin.json"));
        Assert.StartsWith("ID", list, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_OnAPortInUse_FailsWithOneLineAndNoStackTrace()
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        (_, int port) = await cli.StartEdgeAsync(data);

        ProcessResult second = await cli.RunAsync(["edge", "run", "--data-dir", data, "--listen", $"127.0.0.1:{port}"]);

        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains($"drawbridge: error: Failed to bind to address https://127.0.0.1:{port}: address already in use", second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.StandardError, StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("postgres://edge:s3cret-pw@db.example.com:5432/", "--store: names no database")]
    [InlineData("mysql://edge:s3cret-pw@db.example.com/drawbridge", "--store: not a PostgreSQL location (scheme \"mysql\")")]
    public async Task Run_WithAMalformedStore_FailsWithOneLine_WithoutThePassword(string store, string expected)
    {
        await using var cli = new DrawbridgeCli();
        string data = Path.Combine(cli.Scratch("edge"), "data");
        await cli.RunSucceedingAsync("edge", "init", "--data-dir", data, "--hostname", "edge.test", "--port", "8443");
        int port = LoopbackPort.Reserve();

        ProcessResult run = await cli.RunAsync(["edge", "run", "--data-dir", data, "--listen", $"127.0.0.1:{port}", "--store", store]);

        Assert.True(run.ExitCode == 1, run.ToString());
        string error = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"drawbridge: error: {expected}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
    }
}
