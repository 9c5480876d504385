namespace Drawbridge.Protocol.Credentials;

/// <summary>The JSON shape of an <see cref="AdminCredential"/> (see <see cref="TunnelCredentialDocument"/> for why all strings).</summary>
internal sealed class AdminCredentialDocument
{
    public string? EdgeUrl { get; set; }

    public string? ApiToken { get; set; }

    public string? CaCertificate { get; set; }
}
