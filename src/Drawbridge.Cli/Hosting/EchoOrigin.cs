using System.Net;
using System.Net.Sockets;

namespace Drawbridge.Cli.Hosting;

/// <summary>The quickstart's built-in demo service when no <c>--url</c> is given: echoes every byte
/// back, and carries a half-close through (it stops sending after it has echoed everything).</summary>
internal sealed class EchoOrigin : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public EchoOrigin()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptAsync(_stop.Token);
                _ = EchoAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    private async Task EchoAsync(Socket client)
    {
        using (client)
        {
            byte[] buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    await client.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // the client or the quickstart went away
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _accepting.GetAwaiter().GetResult();
        _stop.Dispose();
    }
}
