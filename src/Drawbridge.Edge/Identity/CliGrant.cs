namespace Drawbridge.Edge.Identity;

/// <summary>A one-time code for the CLI's loopback redirect (RFC 8252), bound to the session, the app,
/// the PKCE challenge and the exact redirect URI it was issued for.</summary>
internal sealed record CliGrant(Guid SessionId, string App, string CodeChallenge, string RedirectUri);
