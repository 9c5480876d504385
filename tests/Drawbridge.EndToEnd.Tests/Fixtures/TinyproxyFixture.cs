using System.Globalization;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A real HTTP forward proxy (tinyproxy) on 127.0.0.1 that allows CONNECT to any port (or,
/// like many corporate proxies, only to the ports given), standing in for a corporate <c>HTTPS_PROXY</c>. It logs each request, which lets tests
/// prove that traffic went through it.
/// </summary>
internal sealed class TinyproxyFixture : IAsyncDisposable
{
    // tinyproxy logs "Request (file descriptor 7): CONNECT host:port HTTP/1.1" per request.
    private const string ConnectRequestMarker = "): CONNECT ";

    private readonly TempDirectory directory;
    private readonly ExternalProcess tinyproxy;

    private TinyproxyFixture(TempDirectory directory, ExternalProcess tinyproxy, int port)
    {
        this.directory = directory;
        this.tinyproxy = tinyproxy;
        Port = port;
        ProxyUri = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    /// <summary>The proxy's address, as it would appear in <c>HTTPS_PROXY</c>.</summary>
    public Uri ProxyUri { get; }

    /// <summary>tinyproxy's log so far, for failure messages.</summary>
    public string Output => tinyproxy.Output;

    /// <summary>Starts tinyproxy; with <paramref name="connectPorts"/>, CONNECT to any other port is refused (403).</summary>
    public static async Task<TinyproxyFixture> StartAsync(params int[] connectPorts)
    {
        var directory = TempDirectory.Create("drawbridge-tinyproxy-");
        try
        {
            (ExternalProcess tinyproxy, int port) = await ExternalProcess.StartListeningAsync(port =>
            {
                string config = directory.WriteFile("tinyproxy.conf", BuildConfig(port, connectPorts));
                return ExternalProcess.Start("tinyproxy", ["-d", "-c", config]);
            });
            return new TinyproxyFixture(directory, tinyproxy, port);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// CONNECT requests logged so far. tinyproxy logs a request before it dials the target,
    /// but the log reaches us through a pipe: after a tunnel was used, wait with
    /// <see cref="WaitForConnectRequestsAsync"/> rather than reading this at once.
    /// </summary>
    public int ConnectRequestCount() => CountConnectRequests(tinyproxy.StandardOutput + tinyproxy.StandardError);

    /// <summary>Waits until at least <paramref name="count"/> CONNECT requests were logged.</summary>
    public Task WaitForConnectRequestsAsync(int count, TimeSpan timeout) =>
        tinyproxy.WaitForOutputAsync(output => CountConnectRequests(output) >= count, timeout);

    public async ValueTask DisposeAsync()
    {
        await tinyproxy.DisposeAsync();
        directory.Dispose();
    }

    private static int CountConnectRequests(string log) =>
        log.Split('\n').Count(line => line.Contains(ConnectRequestMarker, StringComparison.Ordinal));

    // No LogFile or Syslog: with -d tinyproxy logs to stdout, which we capture. No User or
    // Group: as root it warns and keeps running as root, otherwise it runs as the caller.
    // No ConnectPort lines: CONNECT is then allowed to every port; with some, only to those
    // (tinyproxy answers "403 Access violation" for the others).
    private static string BuildConfig(int port, int[] connectPorts) =>
        $"""
        Port {port.ToString(CultureInfo.InvariantCulture)}
        Listen 127.0.0.1
        Allow 127.0.0.1
        LogLevel Info
        MaxClients 100
        Timeout 600

        """ + string.Concat(connectPorts.Select(p => $"ConnectPort {p.ToString(CultureInfo.InvariantCulture)}\n"));
}
