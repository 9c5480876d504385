namespace Drawbridge.Connector.Ingress;

/// <summary>A connector's <c>config.yml</c>, as read; null means "not set in the file".</summary>
internal sealed record ConnectorConfig(
    string? Tunnel,
    string? CredentialsFile,
    int? HaConnections,
    TimeSpan? GracePeriod,
    System.Net.IPEndPoint? Metrics,
    IngressRules? Ingress)
{
    /// <summary><c>edge:</c> HOST:PORT to dial instead of the credential's edge URL.</summary>
    public string? Edge { get; init; }

    /// <summary><c>log-level:</c> in lowercase, one of <see cref="YamlConfigFile.LogLevels"/>.</summary>
    public string? LogLevel { get; init; }

    /// <summary><c>log-format:</c> plain or json.</summary>
    public string? LogFormat { get; init; }
}
