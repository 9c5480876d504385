namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// The JSON shape of a <see cref="TunnelCredential"/>. Every property is a nullable string so
/// that a missing or mistyped field reaches our validation and gets a message naming it,
/// instead of a serializer error about a CLR type.
/// </summary>
internal sealed class TunnelCredentialDocument
{
    public string? TunnelId { get; set; }

    public string? TunnelName { get; set; }

    public string? Secret { get; set; }

    public string? EdgeUrl { get; set; }

    public string? CaCertificate { get; set; }
}
