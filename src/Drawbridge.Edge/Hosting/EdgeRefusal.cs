using System.Text.Json;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Hosting;

/// <summary>SPEC.md §1: a refusal before the upgrade is an HTTP status, a JSON body, and the same
/// outcome and message in headers (WebSocket clients often show headers but not bodies).</summary>
internal static class EdgeRefusal
{
    public static int StatusFor(ConnectionOutcome outcome) => outcome switch
    {
        ConnectionOutcome.Unauthenticated or ConnectionOutcome.SessionExpired or ConnectionOutcome.AccessRevoked => StatusCodes.Status401Unauthorized,
        ConnectionOutcome.Denied => StatusCodes.Status403Forbidden,
        ConnectionOutcome.NoRoute => StatusCodes.Status404NotFound,
        ConnectionOutcome.NoConnector or ConnectionOutcome.EdgeDraining => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public static Task WriteAsync(HttpContext context, ConnectionOutcome outcome, string message)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusFor(outcome);
        response.Headers[WireNames.OutcomeHeader] = outcome.WireName();
        // Header values must be ASCII: escape the message there; the body carries it as is.
        response.Headers[WireNames.MessageHeader] = Uri.EscapeDataString(message);
        response.ContentType = "application/json";
        return response.WriteAsync(JsonSerializer.Serialize(new RefusalBody(outcome.WireName(), message), RefusalJsonContext.Default.RefusalBody));
    }
}
