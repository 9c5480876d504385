using System.Net.Security;
using System.Net.Sockets;

namespace Drawbridge.Protocol.Relaying;

/// <summary>Ends the sending direction of any stream the relay meets.</summary>
public static class HalfClose
{
    public static async ValueTask CompleteWritesAsync(Stream stream, CancellationToken cancellationToken)
    {
        switch (stream)
        {
            case IHalfClosable halfClosable:
                await halfClosable.CompleteWritesAsync(cancellationToken);
                break;
            case NetworkStream network:
                network.Socket.Shutdown(SocketShutdown.Send);
                break;
            case SslStream ssl:
                // close_notify: the peer reads EOF, and may still send (RFC 8446 §6.1).
                await ssl.ShutdownAsync();
                break;
            default:
                // No half-close exists for this stream (e.g. a pipe to stdout): closing it is the EOF.
                await stream.FlushAsync(cancellationToken);
                stream.Close();
                break;
        }
    }
}
