using System.Net;
using System.Net.Sockets;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>Two connected loopback TCP streams: the test plays the user's application on one end.</summary>
internal static class LoopbackPair
{
    public static async Task<(NetworkStream Application, NetworkStream Local)> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var application = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task connecting = application.ConnectAsync(listener.LocalEndPoint!);
        Socket local = await listener.AcceptAsync();
        await connecting;
        return (new NetworkStream(application, ownsSocket: true), new NetworkStream(local, ownsSocket: true));
    }
}
