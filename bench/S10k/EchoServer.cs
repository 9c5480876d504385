using System.Net;
using System.Net.Sockets;

namespace Drawbridge.Bench.S10k;

/// <summary>The origin behind the S10k streams: echoes every byte, with a 16-byte buffer per
/// connection so that 10,000 idle connections cost little here.</summary>
internal sealed class EchoServer : IDisposable
{
    /// <summary>The kernel caps the backlog at net.core.somaxconn (4096 on Debian 12); the harness opens a few hundred at a time.</summary>
    private const int Backlog = 4096;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public EchoServer(IPEndPoint listen)
    {
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(listen);
        _listener.Listen(Backlog);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint Endpoint { get; }

    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptAsync(cancellationToken);
                _ = EchoAsync(client, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // bench/run stopped us
        }
    }

    private static async Task EchoAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            byte[] buffer = new byte[16];
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
                {
                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // the stream was reset or we are stopping: nothing to report from the origin
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
