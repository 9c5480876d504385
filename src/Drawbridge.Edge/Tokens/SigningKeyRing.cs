using Drawbridge.Edge.Storage;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// The edge's signing keys as one immutable snapshot: the <see cref="Current"/> key signs new
/// app tokens; <see cref="Retired"/> keys only verify, each until every token it can have
/// signed has expired (<see cref="VerifiesUntil"/>). <see cref="Rotate"/> and
/// <see cref="Prune"/> return a new ring for the caller to persist and swap in whole.
/// </summary>
/// <remarks>
/// Why the retention is enough: a token signed at t ≤ R (R = retirement) has
/// exp ≤ t + <see cref="MaxTokenLifetime"/> (the writer enforces it, the validator checks it),
/// and it is accepted until exp + skew with skew ≤ <see cref="TokenValidationParameters.MaxClockSkew"/>.
/// So R + MaxTokenLifetime + MaxClockSkew outlives every token the key signed.
/// </remarks>
internal sealed class SigningKeyRing
{
    /// <summary>How often to rotate when nothing forces it; Cloudflare Access rotates every six weeks.</summary>
    public static readonly TimeSpan DefaultRotationInterval = TimeSpan.FromDays(42);

    private readonly SigningKey[] _retired;

    private SigningKeyRing(SigningKey current, SigningKey[] retired, TimeSpan maxTokenLifetime)
    {
        Current = current;
        _retired = retired;
        MaxTokenLifetime = maxTokenLifetime;
        PublicKeys = new JsonWebKeySet([current.PublicKey, .. retired.Select(k => k.PublicKey)]);
    }

    public SigningKey Current { get; }

    /// <summary>Retired keys still verifying, most recently retired first.</summary>
    public IReadOnlyList<SigningKey> Retired => _retired;

    /// <summary>The longest lifetime (exp − iat) of a token signed by this ring: the longest app session duration.</summary>
    public TimeSpan MaxTokenLifetime { get; }

    /// <summary>How long a key keeps verifying after it is retired.</summary>
    public TimeSpan Retention => MaxTokenLifetime + TokenValidationParameters.MaxClockSkew;

    /// <summary>The current and retired public keys: what verifies app tokens, and what the JWKS endpoints publish.</summary>
    public JsonWebKeySet PublicKeys { get; }

    /// <summary>A ring with one fresh key.</summary>
    public static SigningKeyRing Create(TimeProvider time, TimeSpan maxTokenLifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxTokenLifetime, TimeSpan.Zero);
        return new SigningKeyRing(SigningKey.Create(time), [], maxTokenLifetime);
    }

    /// <summary>
    /// Restores the ring from <see cref="IEdgeStore.ListSigningKeysAsync"/>. The newest key not
    /// retired is current; should two edges of a cluster have rotated at once, the older
    /// unretired ones count as retired when the newest was created, so every edge picks the same
    /// current key. Retired keys past <see cref="VerifiesUntil"/> are left out (the caller may
    /// delete them). Throws <see cref="InvalidDataException"/> when no key is current, and
    /// <see cref="System.Security.Cryptography.CryptographicException"/> for a corrupt key.
    /// </summary>
    public static SigningKeyRing FromStored(IEnumerable<StoredSigningKey> stored, TimeSpan maxTokenLifetime, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxTokenLifetime, TimeSpan.Zero);
        SigningKey[] keys = [.. stored.Select(SigningKey.FromStored)];
        SigningKey? current = keys.Where(k => k.RetiredAt is null)
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidDataException("no stored signing key is current (every one is retired): create a new one");

        IEnumerable<SigningKey> retired = keys
            .Where(k => k != current)
            .Select(k => k.RetiredAt is null ? k.Retire(current.CreatedAt) : k);
        var ring = new SigningKeyRing(current, [.. retired.OrderByDescending(k => k.RetiredAt)], maxTokenLifetime);
        return ring.Prune(time);
    }

    /// <summary>When a retired key stops verifying; null for the current key.</summary>
    public DateTimeOffset? VerifiesUntil(SigningKey key) => key.RetiredAt + Retention;

    /// <summary>True when <see cref="Current"/> is older than <paramref name="interval"/>.</summary>
    public bool IsRotationDue(TimeProvider time, TimeSpan interval) => time.GetUtcNow() - Current.CreatedAt >= interval;

    /// <summary>
    /// A new ring whose current key is fresh; the old current key is retired now and keeps
    /// verifying for <see cref="Retention"/>, and retired keys past it are dropped. Tokens
    /// already issued stay valid: their key is still in <see cref="PublicKeys"/>.
    /// </summary>
    /// <remarks>
    /// To persist: <c>AddSigningKeyAsync</c> for the new <see cref="Current"/> (from
    /// <see cref="SigningKey.ToStored"/>), <c>RetireSigningKeyAsync</c> for the old current key
    /// at its <see cref="SigningKey.RetiredAt"/>, <c>DeleteSigningKeyAsync</c> for keys no longer here.
    /// </remarks>
    public SigningKeyRing Rotate(TimeProvider time)
    {
        DateTimeOffset now = time.GetUtcNow();
        SigningKey retiring = Current.Retire(now);
        return new SigningKeyRing(SigningKey.Create(time), [retiring, .. Verifying(now)], MaxTokenLifetime);
    }

    /// <summary>This ring without retired keys past <see cref="VerifiesUntil"/> (this instance when there are none).</summary>
    public SigningKeyRing Prune(TimeProvider time)
    {
        SigningKey[] kept = Verifying(time.GetUtcNow());
        return kept.Length == _retired.Length ? this : new SigningKeyRing(Current, kept, MaxTokenLifetime);
    }

    public override string ToString() => $"signing key ring: current {Current.KeyId}, {_retired.Length} retired";

    private SigningKey[] Verifying(DateTimeOffset now) => [.. _retired.Where(k => VerifiesUntil(k) > now)];
}
