namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// What the CLI needs to call the edge's admin API: where the edge is, an API token, and the
/// edge's CA when it has a private one. Written by <c>drawbridge edge init</c> / <c>tunnel login</c>.
/// </summary>
/// <param name="EdgeUrl">The edge's base URL, e.g. <c>https://edge.example.com:443</c>.</param>
/// <param name="ApiToken">The admin API token, secret text sent as a bearer token.</param>
/// <param name="CaCertificatePem">The edge's CA certificate, or null when the edge's certificate is publicly trusted.</param>
public sealed record AdminCredential(string EdgeUrl, string ApiToken, string? CaCertificatePem)
{
    private const string What = "admin credential";

    /// <summary>An admin token (~76 characters) or an admin app token from <c>tunnel login</c> (a JWT whose
    /// groups claim can make it a few KiB); the bound keeps junk out of headers.</summary>
    private const int MaxApiTokenLength = 8192;

    /// <summary>Parses the JSON file form; throws <see cref="CredentialFormatException"/> naming the bad field.</summary>
    public static AdminCredential Parse(string json)
    {
        var document = CredentialFields.Deserialize(json, CredentialJsonContext.Default.AdminCredentialDocument, What);
        var edgeUrl = CredentialFields.EdgeUrl(document.EdgeUrl, What);
        var token = CredentialFields.Required(document.ApiToken, "apiToken", What, "the API token printed by the edge");
        if (token.Length > MaxApiTokenLength || token.Any(c => c is <= ' ' or > '~'))
        {
            // The token goes into an HTTP header: only visible ASCII, and never echoed.
            throw CredentialFields.Invalid(
                "apiToken", What, $"is not a valid API token: expected at most {MaxApiTokenLength} visible ASCII characters");
        }

        var ca = CredentialFields.CaCertificate(document.CaCertificate, What);
        return new AdminCredential(edgeUrl, token, ca);
    }

    public string ToJson() => CredentialFields.ToJson(
        new AdminCredentialDocument { EdgeUrl = EdgeUrl, ApiToken = ApiToken, CaCertificate = CaCertificatePem },
        CredentialJsonContext.Default.AdminCredentialDocument);

    /// <summary>Leaves the token out, so logging a credential by mistake leaks nothing.</summary>
    public override string ToString() => $"AdminCredential {{ EdgeUrl = {EdgeUrl} }}";
}
