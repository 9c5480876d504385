using System.Net;
using System.Net.Sockets;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;

namespace Drawbridge.Client.Forwarding;

/// <summary><c>access tcp --url localhost:9210</c>: each accepted connection rides its own WebSocket to the edge.</summary>
internal sealed class LocalForwarder : IDisposable
{
    private readonly AccessDialer _dialer;
    private readonly TextWriter _messages;
    private readonly Socket _listener;

    public LocalForwarder(AccessDialer dialer, IPEndPoint listen, TextWriter messages)
    {
        _dialer = dialer;
        _messages = messages;
        _listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(listen);
            // 512: bursts of new connections (a connection pool warming up) wait rather than fail.
            _listener.Listen(512);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _listener.Dispose();
            throw new InvalidOperationException($"{listen} is already in use: pick another --url port, or stop what listens there", ex);
        }

        LocalEndpoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndpoint { get; }

    public RelayTracker Connections { get; } = new();

    /// <summary>Parses <c>--url</c>: <c>localhost:9210</c>, <c>127.0.0.1:9210</c>, <c>tcp://localhost:9210</c>, <c>[::1]:9210</c>.</summary>
    public static IPEndPoint ParseListen(string url)
    {
        var (host, port) = Protocol.Transport.EdgeEndpoint.ParseHostPort(url.Replace("tcp://", "", StringComparison.Ordinal), defaultPort: -1);
        if (port < 0)
        {
            throw new FormatException($"--url '{url}' needs a port, e.g. localhost:9210");
        }

        IPAddress address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.TryParse(host, out IPAddress? literal) ? literal : throw new FormatException($"--url '{url}': listen on an IP address or localhost");
        return new IPEndPoint(address, port);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Socket accepted = await _listener.AcceptAsync(cancellationToken);
                accepted.NoDelay = true;
                Connections.Started();
                running.Add(HandleAsync(accepted, cancellationToken));
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        await Task.WhenAll(running);
    }

    private async Task HandleAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            await using var local = new NetworkStream(socket, ownsSocket: true);
            AccessResult result = await AccessConnection.RunAsync(_dialer, local, cancellationToken);
            if (!result.Succeeded)
            {
                await _messages.WriteLineAsync($"drawbridge: {_dialer.Options.Hostname}: {result.Outcome.WireName()}: {result.Message}");
            }
        }
        catch (Exception ex)
        {
            await _messages.WriteLineAsync($"drawbridge: {_dialer.Options.Hostname}: {ConnectionOutcome.InternalError.WireName()}: {ex.Message}");
        }
        finally
        {
            Connections.Ended();
        }
    }

    public void Dispose() => _listener.Dispose();
}
