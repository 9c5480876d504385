using System.Net.Sockets;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>Small I/O steps the end-to-end tests repeat.</summary>
internal static class StreamExtensions
{
    /// <summary>Reads until EOF (bounded: a test never reads more than it expects plus a margin).</summary>
    public static async Task<byte[]> ReadToEndAsync(this Stream stream, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new InvalidOperationException($"read more than the {limit} bytes expected");
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Sends and half-closes, then reads the whole answer.</summary>
    public static async Task<byte[]> ExchangeAsync(this TcpClient client, byte[] request, int limit, CancellationToken cancellationToken)
    {
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(request, cancellationToken);
        client.Client.Shutdown(SocketShutdown.Send);
        return await stream.ReadToEndAsync(limit, cancellationToken);
    }
}
