namespace Drawbridge.Connector.Ingress;

/// <summary>A connector's <c>config.yml</c>, as read; null means "not set in the file".</summary>
internal sealed record ConnectorConfig(
    string? Tunnel,
    string? CredentialsFile,
    int? HaConnections,
    TimeSpan? GracePeriod,
    string? Metrics,
    IngressRules? Ingress);
