using System.Net.Sockets;
using System.Net.WebSockets;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Forwarding;

/// <summary>
/// One user connection: open its way to the edge (a stream on the link, or a WebSocket), relay
/// between the local side and it, and end with one outcome and a sentence for the user (SPEC.md §7).
/// </summary>
internal static class AccessConnection
{
    public static async Task<AccessResult> RunAsync(AccessDialer dialer, Stream local, CancellationToken cancellationToken)
    {
        string hostname = dialer.Options.Hostname;
        DuplexStream remote;
        try
        {
            remote = await dialer.OpenAsync(cancellationToken);
        }
        catch (EdgeDialException ex)
        {
            return new AccessResult(ex.Outcome, ex.Message, 0, 0);
        }

        await using (remote)
        {
            RelayResult result = await DuplexPump.RunAsync(local, remote, static (failure, ends) => AbortAsync(failure, ends.local, ends.remote), (local, remote), cancellationToken);
            (ConnectionOutcome outcome, string message) = Classify(result, hostname);
            if (remote is MuxStream stream && outcome is ConnectionOutcome.AccessRevoked or ConnectionOutcome.SessionExpired or ConnectionOutcome.Unauthenticated)
            {
                dialer.Retire(stream); // the link's credential no longer holds: the next connection signs in again
            }

            return new AccessResult(outcome, message, result.BytesAToB, result.BytesBToA);
        }
    }

    private static ValueTask AbortAsync(RelayFailure failure, Stream local, DuplexStream remote)
    {
        if (failure.FromA)
        {
            // The local application went away abruptly: abort, so the edge reports a reset.
            if (remote is MuxStream stream)
            {
                stream.Reset(MuxErrorCode.Cancel, "the local connection was reset");
            }
            else
            {
                ((WebSocketDuplexStream)remote).Socket.Abort();
            }
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

        if (result.Failure.Error is MuxStreamException reset)
        {
            ConnectionOutcome outcome = ConnectionOutcomes.FromMuxError(reset.Code);
            string detail = string.IsNullOrEmpty(reset.Reason) ? "" : $" ({reset.Reason})";
            return (outcome, outcome.Advice(hostname) + detail);
        }

        return (ConnectionOutcome.LinkLost, $"the connection to the edge broke: {result.Failure.Error.Message}");
    }
}
