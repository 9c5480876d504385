using System.Diagnostics.CodeAnalysis;

namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// What a connector needs to open links for one tunnel (SPEC.md §2): which tunnel, its secret,
/// where the edge is and, for an edge with a private CA, which CA to trust. Written by
/// <c>drawbridge tunnel create</c> as a JSON file or a one-line token.
/// </summary>
/// <param name="TunnelId">The tunnel's id, as the edge knows it.</param>
/// <param name="TunnelName">The tunnel's name, for people and logs.</param>
/// <param name="Secret">The 32-byte secret; the edge stores only its SHA-256.</param>
/// <param name="EdgeUrl">The edge's base URL, e.g. <c>https://edge.example.com:443</c>.</param>
/// <param name="CaCertificatePem">The edge's CA certificate, or null when the edge's certificate is publicly trusted.</param>
public sealed record TunnelCredential(Guid TunnelId, string TunnelName, byte[] Secret, string EdgeUrl, string? CaCertificatePem)
{
    private const string What = "tunnel credential";
    private const string Scheme = "Tunnel";

    /// <summary>The <c>Authorization</c> header value of SPEC.md §2: <c>Tunnel &lt;id, 32 hex&gt;.&lt;secret, base64url&gt;</c>.</summary>
    public string AuthorizationHeaderValue => $"{Scheme} {TunnelId:N}.{SecretHash.ToBase64Url(Secret)}";

    /// <summary>Parses the JSON file form; throws <see cref="CredentialFormatException"/> naming the bad field.</summary>
    public static TunnelCredential Parse(string json)
    {
        var document = CredentialFields.Deserialize(json, CredentialJsonContext.Default.TunnelCredentialDocument, What);

        var idText = CredentialFields.Required(document.TunnelId, "tunnelId", What, "a UUID");
        if (!Guid.TryParse(idText, out var id) || id == Guid.Empty)
        {
            throw CredentialFields.Invalid("tunnelId", What, $"is \"{CredentialFields.Truncate(idText)}\": expected a UUID");
        }

        var name = CredentialFields.Required(document.TunnelName, "tunnelName", What, "the tunnel's name");

        var secretText = CredentialFields.Required(document.Secret, "secret", What, "32 bytes in unpadded base64url");
        if (!SecretHash.TryFromBase64Url(secretText, out var secret) || secret.Length != SecretHash.SecretLength)
        {
            // Never echo a secret, not even a wrong one: it may be a real one with a typo.
            throw CredentialFields.Invalid(
                "secret", What, $"is not 32 bytes in unpadded base64url (expected {SecretHash.Base64UrlSecretLength} characters of [A-Za-z0-9_-])");
        }

        var edgeUrl = CredentialFields.EdgeUrl(document.EdgeUrl, What);
        var ca = CredentialFields.CaCertificate(document.CaCertificate, What);
        return new TunnelCredential(id, name, secret, edgeUrl, ca);
    }

    /// <summary>Parses the one-line token form made by <see cref="ToToken"/>.</summary>
    public static TunnelCredential ParseToken(string token) => Parse(CredentialFields.FromToken(token, What));

    public string ToJson() => CredentialFields.ToJson(ToDocument(), CredentialJsonContext.Default.TunnelCredentialDocument);

    /// <summary>The credential as one line: base64url of its compact UTF-8 JSON.</summary>
    public string ToToken() => CredentialFields.ToToken(ToDocument(), CredentialJsonContext.Default.TunnelCredentialDocument);

    /// <summary>
    /// Parses an <c>Authorization</c> header of SPEC.md §2 strictly: the scheme (case-insensitive,
    /// as RFC 9110 §11.1 says of every scheme), one space, 32 hex digits, '.', and 43 characters
    /// of canonical unpadded base64url that decode to exactly 32 bytes. Anything else is false.
    /// </summary>
    public static bool TryParseAuthorization(string? header, out Guid tunnelId, [NotNullWhen(true)] out byte[]? secret)
    {
        tunnelId = Guid.Empty;
        secret = null;

        // A valid header is exactly 83 characters, so anything longer (a hostile peer's
        // megabyte header) is refused before a single character is decoded.
        const int ExpectedLength = 6 + 1 + 32 + 1 + SecretHash.Base64UrlSecretLength;
        if (header is null || header.Length != ExpectedLength)
        {
            return false;
        }

        var text = header.AsSpan();
        if (!text[..6].Equals(Scheme, StringComparison.OrdinalIgnoreCase) || text[6] != ' ' || text[39] != '.')
        {
            return false;
        }

        var idText = text.Slice(7, 32);
        foreach (var c in idText)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        if (!Guid.TryParseExact(idText, "N", out var id)
            || !SecretHash.TryFromBase64Url(text[40..], out var bytes)
            || bytes.Length != SecretHash.SecretLength)
        {
            return false;
        }

        tunnelId = id;
        secret = bytes;
        return true;
    }

    /// <summary>Leaves the secret out, so logging a credential by mistake leaks nothing.</summary>
    public override string ToString() => $"TunnelCredential {{ TunnelId = {TunnelId}, TunnelName = {TunnelName}, EdgeUrl = {EdgeUrl} }}";

    private TunnelCredentialDocument ToDocument() => new()
    {
        TunnelId = TunnelId.ToString("D"),
        TunnelName = TunnelName,
        Secret = SecretHash.ToBase64Url(Secret),
        EdgeUrl = EdgeUrl,
        CaCertificate = CaCertificatePem,
    };
}
