namespace Drawbridge.Edge.Hosting;

/// <summary>Run-time state shared by the edge's endpoints: options, draining, open connections.</summary>
internal sealed class EdgeRuntime(EdgeRunOptions options, EdgeSettings settings)
{
    private readonly Lock _sync = new();
    private int _openConnections;
    private TaskCompletionSource? _idle;

    public EdgeRunOptions Options { get; } = options;

    public EdgeSettings Settings { get; } = settings;

    /// <summary>Set on shutdown: new connections and links are refused with <c>edge_draining</c>.</summary>
    public volatile bool Draining;

    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>The CA PEM clients and connectors must trust; null with an operator certificate.</summary>
    public string? CaCertificatePem { get; set; }

    public void ConnectionOpened()
    {
        lock (_sync)
        {
            _openConnections++;
        }
    }

    public void ConnectionClosed()
    {
        TaskCompletionSource? idle = null;
        lock (_sync)
        {
            if (--_openConnections == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }

        idle?.TrySetResult();
    }

    /// <summary>Completes when no connection is open.</summary>
    public Task WhenIdle()
    {
        lock (_sync)
        {
            return _openConnections == 0 ? Task.CompletedTask : (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}
