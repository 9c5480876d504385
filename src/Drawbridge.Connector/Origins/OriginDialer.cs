using System.Net;
using System.Net.Sockets;
using Drawbridge.Connector.Ingress;
using Drawbridge.Protocol.Multiplexing;

namespace Drawbridge.Connector.Origins;

/// <summary>Dials an ingress rule's origin; a failure becomes the stream's reset code (SPEC.md §5).</summary>
internal static class OriginDialer
{
    public static async Task<NetworkStream> DialAsync(IngressService service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(service.EndPoint!, limit.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            MuxErrorCode code = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => MuxErrorCode.OriginRefused,
                SocketError.TimedOut => MuxErrorCode.OriginTimeout,
                _ => MuxErrorCode.OriginUnreachable,
            };
            throw new MuxStreamException(code, $"{service}: {ex.Message}", byPeer: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new MuxStreamException(MuxErrorCode.OriginTimeout, $"{service}: no answer within {timeout.TotalSeconds:0.#} s", byPeer: false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
