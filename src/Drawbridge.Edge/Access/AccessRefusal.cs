using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Edge.Access;

/// <summary>
/// Why a client connection was refused before it reached a connector: the outcome the client is
/// told (SPEC.md §7), a short <see cref="Reason"/> from a fixed set for the metrics
/// (docs/METRICS.md: <c>drawbridge_edge_access_refusals_total</c>), and the sentence for the
/// client and the log. The reason never holds a token, a secret or an address.
/// </summary>
internal readonly record struct AccessRefusal(ConnectionOutcome Outcome, string Reason, string Message)
{
    public const string Draining = "draining";
    public const string NoCredential = "no_credential";
    public const string BadServiceToken = "bad_service_token";
    public const string AppTokensNotAccepted = "app_tokens_not_accepted";
    public const string SessionRevoked = "session_revoked";
    public const string DenyPolicy = "deny_policy";
    public const string NoAllowingPolicy = "no_allowing_policy";
    public const string NoRoute = "no_route";
    public const string NoConnector = "no_connector";
    public const string NotWebSocket = "not_websocket";

    public static AccessRefusal None => default;

    public static AccessRefusal NoRouteFor(string hostname) => new(ConnectionOutcome.NoRoute, NoRoute, ConnectionOutcome.NoRoute.Advice(hostname));

    public static AccessRefusal NoConnectorFor(string hostname) => new(ConnectionOutcome.NoConnector, NoConnector, ConnectionOutcome.NoConnector.Advice(hostname));
}
