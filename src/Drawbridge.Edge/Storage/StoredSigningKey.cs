namespace Drawbridge.Edge.Storage;

/// <summary>
/// A key the edge signs app tokens with; its public half is published in the JWKS under
/// <paramref name="KeyId"/>. A retired key signs nothing new but stays published until the
/// tokens it signed have expired, then it is deleted.
/// </summary>
/// <remarks>
/// The private key is stored as-is, like the CA key beside the database: the file is
/// owner-only (mode 0600, see <see cref="SqliteEdgeStore.OpenAsync"/>), and anyone who can read
/// it can already read the CA key. In PostgreSQL, whoever can read the database's
/// <c>signing_keys</c> table can mint app tokens: grant it to the edge's role only. It is never logged, and <see cref="ToString"/> leaves it out
/// so a log line or an assertion message that prints the record cannot leak it.
/// </remarks>
/// <param name="KeyId">The JWS <c>kid</c>: 1–128 of [A-Za-z0-9._-].</param>
/// <param name="Algorithm">The JWS <c>alg</c>, one of <see cref="StoreInputRules.SigningAlgorithms"/>.</param>
/// <param name="PrivateKeyPkcs8">The private key, PKCS#8 DER in standard base64.</param>
internal sealed record StoredSigningKey(string KeyId, string Algorithm, string PrivateKeyPkcs8, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt)
{
    public override string ToString() =>
        $"StoredSigningKey {{ KeyId = {KeyId}, Algorithm = {Algorithm}, PrivateKeyPkcs8 = (redacted), CreatedAt = {CreatedAt:O}, RetiredAt = {RetiredAt:O} }}";
}
