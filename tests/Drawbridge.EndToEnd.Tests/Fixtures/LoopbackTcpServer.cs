using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// An in-process TCP server on 127.0.0.1 and a port the kernel picks, running one handler
/// per accepted connection. It owns its accept loop and every connection task; dispose
/// stops accepting, cancels the handlers and awaits them all. Handler failures other than
/// cancellation are kept in <see cref="Errors"/> so tests can assert there were none.
/// </summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly Func<Socket, CancellationToken, Task> handler;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<int, Task> connections = new();
    private readonly ConcurrentQueue<Exception> errors = new();
    private readonly Task acceptLoop;
    private int acceptedConnections;

    private LoopbackTcpServer(Func<Socket, CancellationToken, Task> handler)
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        EndPoint = (IPEndPoint)listener.LocalEndpoint;
        acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>How many connections were accepted so far.</summary>
    public int AcceptedConnections => Volatile.Read(ref acceptedConnections);

    /// <summary>Exceptions thrown by connection handlers (not counting cancellation on dispose).</summary>
    public IReadOnlyCollection<Exception> Errors => errors.ToArray();

    /// <summary>
    /// Starts listening. <paramref name="handler"/> gets each accepted socket (disposed after
    /// it returns) and a token cancelled when the server is disposed.
    /// </summary>
    public static LoopbackTcpServer Start(Func<Socket, CancellationToken, Task> handler) => new(handler);

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync();
        listener.Stop();
        await acceptLoop;
        await Task.WhenAll(connections.Values);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        int nextId = 0;
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException
                || (exception is SocketException && stopping.IsCancellationRequested))
            {
                return;
            }

            Interlocked.Increment(ref acceptedConnections);
            int id = nextId++;
            connections[id] = RunConnectionAsync(id, socket);
        }
    }

    private async Task RunConnectionAsync(int id, Socket socket)
    {
        // Run the handler off the accept loop so a synchronous prefix cannot stall accepting.
        await Task.Yield();
        try
        {
            using (socket)
            {
                await handler(socket, stopping.Token);
            }
        }
        catch (Exception exception) when (stopping.IsCancellationRequested
            && exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Torn down by dispose; not the handler's fault.
        }
        catch (Exception exception)
        {
            errors.Enqueue(exception);
        }
        finally
        {
            connections.TryRemove(id, out _);
        }
    }
}
