using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A real Redis server on 127.0.0.1 with no persistence, ready once it answers PING.
/// </summary>
internal sealed class RedisFixture : IAsyncDisposable
{
    private static readonly TimeSpan DefaultCliTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory directory;
    private readonly ExternalProcess redis;

    private RedisFixture(TempDirectory directory, ExternalProcess redis, int port)
    {
        this.directory = directory;
        this.redis = redis;
        Port = port;
    }

    public int Port { get; }

    /// <summary>redis-server's log so far, for failure messages.</summary>
    public string Output => redis.Output;

    public static async Task<RedisFixture> StartAsync()
    {
        var directory = TempDirectory.Create("drawbridge-redis-");
        try
        {
            (ExternalProcess redis, int port) = await ExternalProcess.StartListeningAsync(
                port => ExternalProcess.Start(
                    "redis-server",
                    [
                        "--port", port.ToString(CultureInfo.InvariantCulture),
                        "--bind", "127.0.0.1",
                        "--save", "",
                        "--appendonly", "no",
                        "--protected-mode", "no",
                        "--dir", directory.Path,
                    ]),
                PingAsync);
            return new RedisFixture(directory, redis, port);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends an inline PING over a raw socket to 127.0.0.1:<paramref name="port"/> (Redis
    /// itself or a tunnel to it) and says whether the answer was +PONG.
    /// </summary>
    public static async Task<bool> PingAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, cancellationToken);

        // "+PONG\r\n" or an error line such as "-LOADING ...\r\n"; 64 bytes is plenty to decide.
        var buffer = new byte[64];
        int total = 0;
        while (total < buffer.Length && buffer.AsSpan(0, total).IndexOf("\r\n"u8) < 0)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return buffer.AsSpan(0, total).StartsWith("+PONG\r\n"u8);
    }

    /// <summary>
    /// Runs <c>redis-cli -h 127.0.0.1 -p <paramref name="port"/></c> with <paramref name="arguments"/>
    /// (a command and its arguments) and returns how it ended.
    /// </summary>
    public static Task<ProcessResult> RunCliAsync(int port, params string[] arguments) =>
        ExternalProcess.RunAsync(
            "redis-cli",
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments],
            DefaultCliTimeout);

    public async ValueTask DisposeAsync()
    {
        await redis.DisposeAsync();
        directory.Dispose();
    }
}
