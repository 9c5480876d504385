using Drawbridge.Connector.Supervision;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>A connector running in the test process; disposing it stops it (gracefully).</summary>
internal sealed class ConnectorHandle(ConnectorSupervisor supervisor, Task running, CancellationTokenSource stop) : IAsyncDisposable
{
    private int _disposed;

    public ConnectorSupervisor Supervisor => supervisor;

    public Task Running => running;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // a test stopped it already
        }

        await stop.CancelAsync();
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            // a test that expected the connector to fail has already looked at the failure
        }

        supervisor.Dispose();
        stop.Dispose();
    }
}
