namespace Drawbridge.Protocol.Transport;

/// <summary>Paths, subprotocol and header names of SPEC.md §1–§2, in one place for both ends.</summary>
public static class WireNames
{
    public const string TunnelPath = "/_drawbridge/tunnel";
    /// <summary>SPEC.md §8: a client's link for all its connections to one app hostname.</summary>
    public const string ClientLinkPath = "/_drawbridge/streams";
    public const string MuxSubProtocol = "drawbridge-mux.1";
    public const string ConnectorIdHeader = "Drawbridge-Connector-Id";
    public const string LinkIndexHeader = "Drawbridge-Link-Index";
    public const string ConnectorVersionHeader = "Drawbridge-Connector-Version";
    public const string ServiceTokenIdHeader = "Drawbridge-Service-Token-Id";
    public const string ServiceTokenSecretHeader = "Drawbridge-Service-Token-Secret";
    public const string CloudflareClientIdHeader = "Cf-Access-Client-Id";
    public const string CloudflareClientSecretHeader = "Cf-Access-Client-Secret";
    public const string CloudflareTokenHeader = "Cf-Access-Token";
    public const string OutcomeHeader = "Drawbridge-Outcome";
    public const string MessageHeader = "Drawbridge-Message";
}
