using System.Net.Sockets;
using Drawbridge.Connector.Ingress;
using Drawbridge.Connector.Metrics;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Connector.Origins;

/// <summary>One stream from the edge: match the ingress rule, dial the origin, acknowledge, relay.</summary>
internal sealed class OriginRelay(IngressRules ingress, TimeSpan dialTimeout, ConnectorMetrics metrics, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(MuxStream stream, CancellationToken cancellationToken)
    {
        await using (stream)
        {
            // 1. Only origins in our own ingress rules are ever dialed.
            (IngressRule rule, int index) = ingress.Match(stream.Open.Hostname);
            if (rule.Service.IsReject)
            {
                string reason = $"no ingress rule for {stream.Open.Hostname} (rule {index}, the catch-all, rejects it)";
                ConnectorLog.StreamRefused(logger, stream.Id, stream.Open.Hostname, reason);
                metrics.StreamRefused(ConnectionOutcome.NoIngressRule);
                stream.Reset(MuxErrorCode.NoIngressRule, reason);
                return;
            }

            // 2. Dial; a failure resets the stream with the reason the client will show.
            NetworkStream origin;
            long dialing = time.GetTimestamp();
            try
            {
                origin = await OriginDialer.DialAsync(rule.Service, dialTimeout, cancellationToken);
                metrics.OriginDialed(time.GetElapsedTime(dialing), refusal: null);
            }
            catch (MuxStreamException ex)
            {
                ConnectionOutcome refusal = ConnectionOutcomes.FromMuxError(ex.Code);
                ConnectorLog.StreamRefused(logger, stream.Id, stream.Open.Hostname, ex.Reason);
                metrics.OriginDialed(time.GetElapsedTime(dialing), refusal);
                metrics.StreamRefused(refusal);
                stream.Reset(ex.Code, ex.Reason);
                return;
            }

            // 3. Acknowledge and relay until both sides are done.
            await using (origin)
            {
                stream.Acknowledge();
                metrics.StreamOpened();
                RelayResult result = await DuplexPump.RunAsync(stream, origin, static (failure, ends) => AbortAsync(failure, ends.stream, ends.origin), (stream, origin), cancellationToken);
                metrics.StreamClosed(result.BytesAToB, result.BytesBToA);
                (ConnectionOutcome outcome, string detail) = Classify(result, stream);
                ConnectorLog.StreamEnded(logger, stream.Id, stream.Open.Hostname, stream.Open.Identity ?? "", stream.Open.ClientAddress ?? "",
                    rule.Service.ToString(), outcome.WireName(), (long)result.Duration.TotalMilliseconds, result.BytesAToB, result.BytesBToA, detail);
            }
        }
    }

    private static ValueTask AbortAsync(RelayFailure failure, MuxStream stream, NetworkStream origin)
    {
        if (failure.FromA)
        {
            // The edge reset the stream (client gone, access revoked) or the link died: drop the
            // origin connection now, not after a timeout (cloudflared#97).
            origin.Socket.Close(0);
        }
        else
        {
            stream.Reset(MuxErrorCode.OriginReset, $"the origin connection failed: {failure.Error.Message}");
            origin.Socket.Close(0);
        }

        return ValueTask.CompletedTask;
    }

    private static (ConnectionOutcome, string) Classify(RelayResult result, MuxStream stream)
    {
        if (result.Failure is null)
        {
            return (ConnectionOutcome.Closed, "");
        }

        if (!result.Failure.FromA)
        {
            return (ConnectionOutcome.Reset, $" (origin: {result.Failure.Error.Message})");
        }

        MuxStreamException? reset = stream.ResetReason;
        return reset is null
            ? (ConnectionOutcome.InternalError, $" ({result.Failure.Error.Message})")
            : (ConnectionOutcomes.FromMuxError(reset.Code), $" ({reset.Reason})");
    }
}
