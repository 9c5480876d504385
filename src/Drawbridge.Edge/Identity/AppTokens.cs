using Drawbridge.Edge.Storage;
using Drawbridge.Edge.Tokens;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// The edge's app tokens (issue 3 item 2): issued after sign-in for one app, signed by the current
/// key of a ring kept in the store, verified on every connection without a database query, and
/// published as a JWKS. Rotation keeps retired keys verifying until their last token expires.
/// </summary>
internal sealed class AppTokens
{
    /// <summary>The longest app session duration (30 days): retired keys verify for this long.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    private readonly Func<string> _issuer;
    private readonly TimeProvider _time;
    private readonly VerifiedTokenCache _verified = new();
    private volatile SigningKeyRing _ring;

    private AppTokens(SigningKeyRing ring, Func<string> issuer, TimeProvider time)
    {
        _ring = ring;
        _issuer = issuer;
        _time = time;
    }

    /// <summary>The issuer: the edge's public URL (known once it listens).</summary>
    public string Issuer => _issuer();

    public SigningKeyRing Ring => _ring;

    /// <summary>How many distinct tokens are remembered as verified (tests: only valid ones are).</summary>
    internal int VerifiedTokenCount => _verified.Count;

    /// <summary>Loads the ring from the store, creating and storing the first key on a new edge.</summary>
    public static async Task<AppTokens> LoadAsync(IEdgeStore store, Func<string> issuer, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredSigningKey> stored = await store.ListSigningKeysAsync(cancellationToken);
        SigningKeyRing ring;
        if (stored.Any(k => k.RetiredAt is null))
        {
            ring = SigningKeyRing.FromStored(stored, MaxLifetime, time);
        }
        else
        {
            ring = SigningKeyRing.Create(time, MaxLifetime);
            StoredSigningKey key = ring.Current.ToStored();
            await store.AddSigningKeyAsync(key.KeyId, key.Algorithm, key.PrivateKeyPkcs8, cancellationToken);
        }

        return new AppTokens(ring, issuer, time);
    }

    /// <summary>An app token for <paramref name="app"/> carrying the session's identity, valid for the app's session duration
    /// (never past the session itself).</summary>
    public (string Token, DateTimeOffset Expires) Issue(UserSession session, string app, TimeSpan appSessionDuration)
    {
        TimeSpan untilSessionEnds = session.ExpiresAt - _time.GetUtcNow();
        TimeSpan lifetime = appSessionDuration < untilSessionEnds ? appSessionDuration : untilSessionEnds;
        if (lifetime < TimeSpan.FromSeconds(1))
        {
            throw new SignInException("the session has ended: sign in again");
        }

        AppTokenClaims claims = AppTokenClaims.Issue(Issuer, app, session.Email, session.Email, session.Groups,
            session.LoginMethod, session.Id.ToString("N"), _time, lifetime);
        return (JwtWriter.Write(claims, _ring), claims.Expires);
    }

    /// <summary>
    /// Validates a token presented for <paramref name="app"/>: signature, issuer, audience, time.
    /// A token verified before (<see cref="VerifiedTokenCache"/>) skips the signature and the JSON
    /// when it is still for this app and issuer, in its time, and signed by a key of the ring.
    /// </summary>
    public AppTokenCheck Validate(string? token, string app) => Validate(token.AsSpan(), app);

    /// <inheritdoc cref="Validate(string?, string)"/>
    /// <remarks>A span, so a token cut from a header needs no string of its own unless it is verified in full.</remarks>
    public AppTokenCheck Validate(ReadOnlySpan<char> token, string app)
    {
        SigningKeyRing ring = _ring;
        bool cacheable = VerifiedTokenCache.TryDigest(token, out VerifiedTokenCache.TokenDigest digest);
        if (cacheable && _verified.TryGet(digest, out AppTokenClaims cached, out string cachedKeyId))
        {
            bool forHere = string.Equals(cached.Audience, app, StringComparison.Ordinal) && string.Equals(cached.Issuer, Issuer, StringComparison.Ordinal);
            if (!IsStillValid(cached, cachedKeyId, ring))
            {
                _verified.Remove(digest); // expired, or its key left the ring: it will never pass again
            }
            else if (forHere)
            {
                return new AppTokenCheck(cached, cachedKeyId, TokenFailure.None, "token is valid");
            }

            // Presented for another app (or issuer): the full check below says what is wrong; the
            // entry stays for the app it was issued for.
        }

        TokenValidationResult result = JwtValidator.Validate(token.ToString(), TokenValidationParameters.ForAppTokens(ring, Issuer, app, _time));
        if (!result.IsValid)
        {
            return new AppTokenCheck(null, null, result.Failure, result.Message);
        }

        if (!AppTokenClaims.TryRead(result.Token, out AppTokenClaims? claims, out string error))
        {
            return new AppTokenCheck(null, null, TokenFailure.Malformed, error);
        }

        string keyId = result.Token.KeyId ?? "";
        if (cacheable && keyId.Length > 0)
        {
            _verified.Add(digest, claims, keyId, _time.GetUtcNow());
        }

        return new AppTokenCheck(claims, keyId, TokenFailure.None, result.Message);
    }

    /// <summary>What <see cref="JwtValidator"/> would still say of the times and key of a token it accepted before, without the signature and JSON work.</summary>
    private bool IsStillValid(AppTokenClaims claims, string keyId, SigningKeyRing ring)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        long skew = (long)TokenValidationParameters.DefaultClockSkew.TotalSeconds;
        return !JwtValidator.HasExpired(now, claims.Expires.ToUnixTimeSeconds(), skew)
               && !JwtValidator.IsNotYetValid(now, claims.NotBefore.ToUnixTimeSeconds(), skew)
               && ring.PublicKeys.TryFind(keyId, out _);
    }

    public byte[] Jwks() => JwksDocument.Render(_ring);

    /// <summary>
    /// Brings the ring up to date with the store and the clock: takes up keys another edge of the
    /// cluster created, rotates when the current key is older than <paramref name="rotationInterval"/>
    /// (the old key keeps verifying the tokens it signed), and deletes keys no token can need any more.
    /// Returns true when the current key changed.
    /// </summary>
    public async Task<bool> RefreshAsync(IEdgeStore store, TimeSpan rotationInterval, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredSigningKey> stored = await store.ListSigningKeysAsync(cancellationToken);
        SigningKeyRing ring = SigningKeyRing.FromStored(stored, MaxLifetime, _time);
        if (ring.IsRotationDue(_time, rotationInterval))
        {
            SigningKeyRing rotated = ring.Rotate(_time);
            StoredSigningKey fresh = rotated.Current.ToStored();
            await store.AddSigningKeyAsync(fresh.KeyId, fresh.Algorithm, fresh.PrivateKeyPkcs8, cancellationToken);
            await store.RetireSigningKeyAsync(ring.Current.KeyId, rotated.Retired[0].RetiredAt!.Value, cancellationToken);
            ring = rotated;
        }

        HashSet<string> kept = [ring.Current.KeyId, .. ring.Retired.Select(k => k.KeyId)];
        foreach (StoredSigningKey expired in stored.Where(k => !kept.Contains(k.KeyId)))
        {
            await store.DeleteSigningKeyAsync(expired.KeyId, cancellationToken);
        }

        bool changed = ring.Current.KeyId != _ring.Current.KeyId;
        _ring = ring;
        return changed;
    }

    /// <summary>
    /// <see cref="RefreshAsync"/> every <paramref name="checkInterval"/> until stopped. A store
    /// error is logged and tried again next time: the current ring keeps signing meanwhile.
    /// </summary>
    public async Task RunRotationLoopAsync(IEdgeStore store, TimeSpan rotationInterval, TimeSpan checkInterval, ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(checkInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    if (await RefreshAsync(store, rotationInterval, cancellationToken))
                    {
                        EdgeLog.SigningKeyChanged(logger, _ring.Current.KeyId, _ring.Retired.Count);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    EdgeLog.SigningKeyRefreshFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the edge is stopping
        }
    }
}
