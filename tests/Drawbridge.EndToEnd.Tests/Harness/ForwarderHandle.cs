using System.Net;
using System.Net.Sockets;
using Drawbridge.Client.Forwarding;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>An <c>access tcp --url</c> listener running in the test process, with its messages.</summary>
internal sealed class ForwarderHandle(LocalForwarder forwarder, AccessDialer dialer, StringWriter messages, TextWriter synchronizedMessages, Task running, CancellationTokenSource stop) : IAsyncDisposable
{
    public IPEndPoint EndPoint => forwarder.LocalEndpoint;

    public int Port => forwarder.LocalEndpoint.Port;

    public AccessDialer Dialer => dialer;

    /// <summary>What the forwarder told the user (one line per failed connection).</summary>
    public string Messages
    {
        get
        {
            lock (synchronizedMessages) // TextWriter.Synchronized locks on itself
            {
                return messages.ToString();
            }
        }
    }

    public async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(EndPoint);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        forwarder.Dispose();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        dialer.Dispose();
        stop.Dispose();
    }
}
