using System.Net;
using System.Net.Sockets;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Protocol.Transport;

/// <summary>The TCP connection under every HTTPS request to the edge (WebSockets, sign-in, token calls):
/// direct to the <c>--edge</c> address, or through an HTTP CONNECT proxy, with errors that name the step.</summary>
public static class EdgeConnection
{
    /// <summary>TCP to the edge, or to the proxy and then HTTP CONNECT through it.</summary>
    public static async ValueTask<Stream> ConnectAsync(EdgeEndpoint endpoint, ProxySettings? proxy, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        string host = proxy?.ProxyUri.Host ?? endpoint.ConnectHost;
        int port = proxy?.ProxyUri.Port ?? endpoint.ConnectPort;
        string role = proxy is null ? "the edge" : "the proxy";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(host, port), timeout.Token);
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (proxy is not null)
            {
                await HttpConnectTunnel.OpenAsync(stream, proxy.ProxyUri, endpoint.ConnectHost, endpoint.ConnectPort, timeout.Token);
            }

            return new ReadAheadStream(stream);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            string what = ex.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve {host}: check the name and DNS",
                SocketError.ConnectionRefused => $"{role} at {host}:{port} refused the TCP connection: is it running on that port?",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"{role} at {host}:{port} is unreachable from here",
                _ => $"TCP to {role} at {host}:{port} failed: {ex.Message}",
            };
            throw new EdgeDialException(ConnectionOutcome.EdgeUnreachable, what, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new EdgeDialException(ConnectionOutcome.EdgeUnreachable,
                $"no answer from {role} at {host}:{port} within {connectTimeout.TotalSeconds:0} s: outbound TCP to port {port} may be blocked", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

}
