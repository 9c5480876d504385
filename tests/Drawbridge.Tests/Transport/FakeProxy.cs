using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drawbridge.Tests.Transport;

/// <summary>
/// A one-connection HTTP proxy on 127.0.0.1:0 that reads the CONNECT request head and then
/// follows a script: answer, echo, close. Tests dial it with a real socket.
/// </summary>
internal sealed class FakeProxy : IAsyncDisposable
{
    /// <summary>One awaited event (a request, an answer, an echo).</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _serving;

    private FakeProxy(Func<NetworkStream, CancellationToken, Task> script)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serving = ServeAsync(script);
    }

    public int Port { get; }

    /// <summary>The CONNECT request head the client sent, up to and including the blank line.</summary>
    public Task<string> Request => _request.Task.WaitAsync(EventTimeout);

    /// <summary>Answers with <paramref name="answer"/> and closes when the client does.</summary>
    public static FakeProxy Answering(string answer) => new(async (stream, ct) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), ct);
        await DrainAsync(stream, ct);
    });

    /// <summary>Answers with <paramref name="answer"/> and closes the connection at once.</summary>
    public static FakeProxy AnsweringThenClosing(string answer) => new(async (stream, ct) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), ct));

    /// <summary>Sends raw bytes (not HTTP) and keeps the connection open until the client closes it.</summary>
    public static FakeProxy SendingBytes(byte[] bytes) => new(async (stream, ct) =>
    {
        await stream.WriteAsync(bytes, ct);
        await DrainAsync(stream, ct);
    });

    /// <summary>A proxy that lets the tunnel through: 200, <paramref name="greeting"/> in the same write, then echoes.</summary>
    public static FakeProxy Tunnelling(string status, byte[] greeting) => new(async (stream, ct) =>
    {
        byte[] answer = [.. Encoding.ASCII.GetBytes(status), .. greeting];
        await stream.WriteAsync(answer, ct);
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    });

    public Uri Uri(string userInfo = "") => new($"http://{userInfo}127.0.0.1:{Port}");

    /// <summary>A real TCP connection to the proxy, as the edge dialer makes before CONNECT.</summary>
    public async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(EventTimeout);
        return client;
    }

    private async Task ServeAsync(Func<NetworkStream, CancellationToken, Task> script)
    {
        try
        {
            using TcpClient connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            await using NetworkStream stream = connection.GetStream();
            _request.TrySetResult(await ReadHeadAsync(stream, _stop.Token));
            await script(stream, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The client hung up or the test ended: the script's job is done either way.
            _request.TrySetException(ex);
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, ct) == 0)
            {
                throw new IOException("the client closed before finishing its request");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static async Task DrainAsync(NetworkStream stream, CancellationToken ct)
    {
        byte[] buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, ct) > 0)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving.WaitAsync(EventTimeout);
        _stop.Dispose();
    }
}
