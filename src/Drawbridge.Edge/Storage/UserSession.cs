namespace Drawbridge.Edge.Storage;

/// <summary>
/// A person's sign-in, created when they authenticate and checked on every connection; revoking
/// it (or its expiry) ends their open connections. Only <paramref name="SecretHash"/>, SHA-256 of
/// the session secret, is kept.
/// </summary>
/// <param name="Email">Lowercase.</param>
/// <param name="Groups">IdP groups from the sign-in's claims, for group selectors (at most 200 of at most 256 characters).</param>
/// <param name="LoginMethod">How they signed in (e.g. an IdP's name or "otp"), for login-method selectors.</param>
/// <param name="RevokedReason">Why it was revoked, to tell the client whose connection is closed.</param>
internal sealed record UserSession(
    Guid Id,
    string SecretHash,
    string Email,
    string? DisplayName,
    IReadOnlyList<string> Groups,
    string LoginMethod,
    string? ClientAddress,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedReason)
{
    /// <summary>Not revoked and not yet expired at <paramref name="now"/>.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>Equal when every field is, the groups element by element (a record would compare the list references).</summary>
    public bool Equals(UserSession? other) =>
        other is not null
        && Id == other.Id
        && SecretHash == other.SecretHash
        && Email == other.Email
        && DisplayName == other.DisplayName
        && Groups.SequenceEqual(other.Groups)
        && LoginMethod == other.LoginMethod
        && ClientAddress == other.ClientAddress
        && CreatedAt == other.CreatedAt
        && ExpiresAt == other.ExpiresAt
        && RevokedAt == other.RevokedAt
        && RevokedReason == other.RevokedReason;

    public override int GetHashCode() => HashCode.Combine(Id, SecretHash, Email, CreatedAt, ExpiresAt, RevokedAt);
}
