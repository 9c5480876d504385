using System.Net.Sockets;
using System.Net.WebSockets;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Forwarding;

/// <summary>
/// One user connection: dial the edge, relay between the local side and the WebSocket, and
/// end with one outcome and a sentence for the user (SPEC.md §7).
/// </summary>
internal static class AccessConnection
{
    public static async Task<AccessResult> RunAsync(AccessDialer dialer, Stream local, CancellationToken cancellationToken)
    {
        string hostname = dialer.Options.Hostname;
        WebSocketDuplexStream remote;
        try
        {
            remote = await dialer.DialAsync(cancellationToken);
        }
        catch (EdgeDialException ex)
        {
            return new AccessResult(ex.Outcome, ex.Message, 0, 0);
        }

        await using (remote)
        {
            RelayResult result = await DuplexPump.RunAsync(local, remote, static (failure, ends) => AbortAsync(failure, ends.local, ends.remote), (local, remote), cancellationToken);
            (ConnectionOutcome outcome, string message) = Classify(result, hostname);
            return new AccessResult(outcome, message, result.BytesAToB, result.BytesBToA);
        }
    }

    private static ValueTask AbortAsync(RelayFailure failure, Stream local, WebSocketDuplexStream remote)
    {
        if (failure.FromA)
        {
            // The local application went away abruptly: abort, so the edge reports a reset.
            remote.Socket.Abort();
        }
        else if (local is NetworkStream network)
        {
            network.Socket.Close(0);
        }
        else if (local is StdioStream stdio)
        {
            stdio.Abort();
        }
        else
        {
            local.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static (ConnectionOutcome, string) Classify(RelayResult result, string hostname)
    {
        if (result.Failure is null)
        {
            return (ConnectionOutcome.Closed, "");
        }

        if (result.Failure.FromA)
        {
            return (ConnectionOutcome.Reset, "the local connection was reset: " + result.Failure.Error.Message);
        }

        if (result.Failure.Error is WebSocketClosedException closed)
        {
            ConnectionOutcome outcome = ConnectionOutcomes.FromCloseStatus(closed.Status);
            string detail = string.IsNullOrEmpty(closed.Description) ? "" : $" ({closed.Description})";
            return (outcome, outcome.Advice(hostname) + detail);
        }

        return (ConnectionOutcome.LinkLost, $"the connection to the edge broke: {result.Failure.Error.Message}");
    }
}
