using System.Net;
using System.Net.Sockets;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>Picks loopback ports for programs that cannot be told to choose their own.</summary>
internal static class LoopbackPort
{
    /// <summary>
    /// A port that was free a moment ago: the kernel picks it for a listener on port 0,
    /// which is released at once. Another process can take it before the program binds it,
    /// which is why <see cref="ExternalProcess.StartListeningAsync"/> retries on a fresh port.
    /// </summary>
    public static int Reserve()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsAcceptingAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
