using System.Net;
using System.Net.Sockets;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A TCP echo origin on 127.0.0.1: every byte received is sent back. When the client
/// half-closes (shuts down its sending side), the server finishes echoing what it read and
/// then shuts down its own sending side, so the client sees EOF only after all its bytes.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    // Large enough to move a bulk transfer in few system calls.
    private const int BufferSize = 64 * 1024;

    private readonly LoopbackTcpServer server;
    private long bytesEchoed;

    private EchoServer() => server = LoopbackTcpServer.Start(EchoAsync);

    public IPEndPoint EndPoint => server.EndPoint;

    public int Port => server.Port;

    /// <summary>How many connections were accepted so far.</summary>
    public int AcceptedConnections => server.AcceptedConnections;

    /// <summary>Bytes sent back so far, over all connections.</summary>
    public long BytesEchoed => Interlocked.Read(ref bytesEchoed);

    /// <summary>Failures of connection handlers; empty when every connection went well.</summary>
    public IReadOnlyCollection<Exception> Errors => server.Errors;

    public static EchoServer Start() => new();

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            Interlocked.Add(ref bytesEchoed, read);
        }

        // The client's FIN: everything it sent has been echoed, so pass the FIN back.
        socket.Shutdown(SocketShutdown.Send);
    }
}
