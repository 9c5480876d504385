namespace Drawbridge.Edge.Identity;

/// <summary>
/// One OpenID Connect provider the edge signs users in with (issue 3 item 1): where it is, the
/// edge's client registration there, and which claims carry e-mail, name and groups.
/// </summary>
internal sealed record IdentityProviderSettings
{
    /// <summary>Short id, used in URLs and as the login method (<c>login-method:okta</c>): [a-z0-9-], 1–32 chars.</summary>
    public required string Id { get; init; }

    /// <summary>What the sign-in page shows ("Sign in with Okta").</summary>
    public string? DisplayName { get; init; }

    /// <summary>The issuer URL; discovery is at <c>{issuer}/.well-known/openid-configuration</c>. https, or http on loopback (tests).</summary>
    public required string Issuer { get; init; }

    public required string ClientId { get; init; }

    /// <summary>The client secret: kept in the owner-only settings file, never logged.</summary>
    public required string ClientSecret { get; init; }

    /// <summary>Scopes asked for; <c>openid</c> is always included.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["openid", "email", "profile"];

    public string EmailClaim { get; init; } = "email";

    public string NameClaim { get; init; } = "name";

    public string GroupsClaim { get; init; } = "groups";

    /// <summary>ID tokens are accepted this far outside their validity window (clocks drift). 2 minutes.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    public override string ToString() => $"IdentityProviderSettings {{ Id = {Id}, Issuer = {Issuer}, ClientId = {ClientId} }}";

    /// <summary>The problems with these settings, empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (Id.Length is 0 or > 32 || !Id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            yield return $"identity provider id '{Id}' must be 1-32 characters of a-z, 0-9 and '-'";
        }

        if (!Uri.TryCreate(Issuer, UriKind.Absolute, out Uri? issuer) ||
            !(issuer.Scheme == Uri.UriSchemeHttps || (issuer.Scheme == Uri.UriSchemeHttp && issuer.IsLoopback)))
        {
            yield return $"issuer '{Issuer}' must be an https:// URL (http:// only on a loopback address, for testing)";
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return $"identity provider {Id} needs a client id";
        }

        if (string.IsNullOrEmpty(ClientSecret))
        {
            yield return $"identity provider {Id} needs a client secret";
        }
    }
}
