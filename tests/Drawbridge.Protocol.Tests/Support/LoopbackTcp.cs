using System.Net;
using System.Net.Sockets;

namespace Drawbridge.Protocol.Tests.Support;

/// <summary>Real TCP connections on 127.0.0.1 with an ephemeral port.</summary>
internal static class LoopbackTcp
{
    /// <summary>Both ends of one connection; each stream owns its socket.</summary>
    public static async Task<(NetworkStream Client, NetworkStream Server)> ConnectPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task connect = client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        Socket server = await listener.AcceptSocketAsync().WaitAsync(TestTimeouts.Event);
        await connect.WaitAsync(TestTimeouts.Event);
        server.NoDelay = true;
        return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    /// <summary>Closes with SO_LINGER 0: the peer gets a TCP RST (connection reset), not a FIN.</summary>
    public static void Reset(NetworkStream stream)
    {
        stream.Socket.LingerState = new LingerOption(enable: true, seconds: 0);
        stream.Socket.Close();
    }
}
