using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A TCP origin that answers only after the client half-closes: it reads until EOF, then
/// sends the lowercase hex SHA-256 of everything it received, a '\n', and a fixed payload
/// of <see cref="PayloadLength"/> bytes, then closes. A tunnel that turns the client's
/// half-close into a full close loses the reply, which is what half-close tests catch.
/// </summary>
internal sealed class ReplyAfterEofServer : IAsyncDisposable
{
    /// <summary>Default payload: 4 MiB, several times any socket buffer or flow-control window.</summary>
    public const int DefaultPayloadLength = 4 * 1024 * 1024;

    private const int BufferSize = 64 * 1024;

    private readonly LoopbackTcpServer server;
    private readonly byte[] payload;

    private ReplyAfterEofServer(int payloadLength)
    {
        payload = BuildPayload(payloadLength);
        server = LoopbackTcpServer.Start(ReplyAsync);
    }

    public IPEndPoint EndPoint => server.EndPoint;

    public int Port => server.Port;

    public int PayloadLength => payload.Length;

    /// <summary>How many connections were accepted so far.</summary>
    public int AcceptedConnections => server.AcceptedConnections;

    /// <summary>Failures of connection handlers; empty when every connection went well.</summary>
    public IReadOnlyCollection<Exception> Errors => server.Errors;

    public static ReplyAfterEofServer Start(int payloadLength = DefaultPayloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return new ReplyAfterEofServer(payloadLength);
    }

    /// <summary>The exact bytes the server sends to a client that sent <paramref name="sent"/>.</summary>
    public byte[] ExpectedReply(ReadOnlySpan<byte> sent)
    {
        byte[] digestLine = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(sent)) + "\n");
        return [.. digestLine, .. payload];
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private async Task ReplyAsync(Socket socket, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        byte[] digestLine = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash.GetHashAndReset()) + "\n");
        await stream.WriteAsync(digestLine, cancellationToken);
        await stream.WriteAsync(payload, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }

    // A pattern that is not periodic in any power of two, so a dropped or repeated chunk
    // of a buffer-sized block shows up as a mismatch.
    private static byte[] BuildPayload(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i % 251);
        }

        return bytes;
    }
}
