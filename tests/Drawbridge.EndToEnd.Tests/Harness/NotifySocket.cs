using System.Net.Sockets;
using System.Text;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>
/// What systemd listens on for a Type=notify service: a datagram socket in the abstract namespace
/// whose name goes to the program as NOTIFY_SOCKET=@name. Keeps every message it read.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _received = [];

    public NotifySocket()
    {
        string name = $"drawbridge-notify-{Guid.NewGuid():N}";
        _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        Name = "@" + name;
    }

    /// <summary>The NOTIFY_SOCKET value.</summary>
    public string Name { get; }

    /// <summary>Every message read so far, in order.</summary>
    public IReadOnlyList<string> Received => _received;

    /// <summary>Messages waiting that were not read yet.</summary>
    public int Pending => _socket.Available;

    /// <summary>Reads messages until one matches; returns it. Fails after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        byte[] buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching sd_notify message within {timeout.TotalSeconds} s; got: [{string.Join(" | ", _received)}]");
            }

            string message = Encoding.UTF8.GetString(buffer, 0, read);
            _received.Add(message);
            if (match(message))
            {
                return message;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
