using System.Collections.Frozen;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// What a token must satisfy, pinned by the caller and never taken from the token: the
/// algorithms, the keys, the issuer, the audience, the clock. Use
/// <see cref="ForAppTokens"/> for the edge's own tokens and <see cref="ForIdTokens"/> for an
/// OpenID provider's ID tokens. Immutable; build once per app / provider and reuse.
/// </summary>
internal sealed class TokenValidationParameters
{
    /// <summary>16 KiB: a generous app or ID token is under 2 KiB; the cap bounds parsing work.</summary>
    public const int DefaultMaxTokenLength = 16 * 1024;

    /// <summary>Tolerated clock difference between issuer and validator (60 s, as most JWT libraries).</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>Largest skew accepted; <see cref="SigningKeyRing.Retention"/> relies on this bound.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <param name="keys">The only keys that may verify (by kid); the token's own "jwk"/"jku"/"x5u" are never used.</param>
    /// <param name="issuer">The exact "iss" required (ordinal comparison).</param>
    /// <param name="audiences">"aud" must contain at least one of these.</param>
    /// <param name="allowedAlgorithms">
    /// Names from <see cref="JwsAlgorithm"/>; anything else ("none", "HS256", typos) throws here,
    /// so a configuration can never allow it.
    /// </param>
    public TokenValidationParameters(JsonWebKeySet keys, string issuer, IEnumerable<string> audiences, IEnumerable<string> allowedAlgorithms)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        Keys = keys;
        Issuer = issuer;
        Audiences = audiences.ToFrozenSet(StringComparer.Ordinal);
        if (Audiences.Count == 0 || Audiences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("at least one non-empty audience is required", nameof(audiences));
        }

        AllowedAlgorithms = allowedAlgorithms.ToFrozenSet(StringComparer.Ordinal);
        if (AllowedAlgorithms.Count == 0)
        {
            throw new ArgumentException("at least one algorithm must be allowed", nameof(allowedAlgorithms));
        }

        foreach (string name in AllowedAlgorithms)
        {
            if (!JwsAlgorithm.TryGet(name, out _))
            {
                throw new ArgumentException(
                    $"algorithm '{name}' cannot be allowed (supported: {string.Join(", ", JwsAlgorithm.SupportedNames)})",
                    nameof(allowedAlgorithms));
            }
        }
    }

    public JsonWebKeySet Keys { get; }

    public string Issuer { get; }

    public IReadOnlySet<string> Audiences { get; }

    public IReadOnlySet<string> AllowedAlgorithms { get; }

    /// <summary>Default <see cref="DefaultClockSkew"/>; 0 to <see cref="MaxClockSkew"/>.</summary>
    public TimeSpan ClockSkew
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxClockSkew);
            field = value;
        }
    } = DefaultClockSkew;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Default <see cref="DefaultMaxTokenLength"/> characters; 256 to 1 MiB.</summary>
    public int MaxTokenLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 256);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1024 * 1024);
            field = value;
        }
    } = DefaultMaxTokenLength;

    /// <summary>When set, the "nonce" claim must equal it (OpenID Connect Core §3.1.3.7 step 11).</summary>
    public string? RequiredNonce { get; init; }

    /// <summary>When set, "iat" is required and exp − iat may not exceed it. Null (default): not checked.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>
    /// The edge's own app tokens for one app: ES256 only, keys from the ring, lifetime capped
    /// at the ring's <see cref="SigningKeyRing.MaxTokenLifetime"/>.
    /// </summary>
    public static TokenValidationParameters ForAppTokens(SigningKeyRing ring, string issuer, string audience, TimeProvider time) =>
        new(ring.PublicKeys, issuer, [audience], [SigningKey.Algorithm.Name])
        {
            TimeProvider = time,
            MaxLifetime = ring.MaxTokenLifetime,
        };

    /// <summary>
    /// ID tokens of an OpenID provider (OpenID Connect Core §3.1.3.7): its JWKS, its issuer,
    /// our client id as audience, the nonce this sign-in sent. <paramref name="advertisedAlgorithms"/>
    /// is the discovery document's "id_token_signing_alg_values_supported"; only the asymmetric
    /// ones this edge implements are kept ("none" and HS* are dropped), and RS256 — which
    /// OpenID Connect makes mandatory to support — is the default when it is null.
    /// </summary>
    public static TokenValidationParameters ForIdTokens(JsonWebKeySet providerKeys, string issuer, string clientId,
        string? nonce, IEnumerable<string>? advertisedAlgorithms, TimeProvider time)
    {
        string[] algorithms = advertisedAlgorithms is null
            ? [JwsAlgorithm.RS256.Name]
            : [.. advertisedAlgorithms.Where(a => JwsAlgorithm.TryGet(a, out _))];
        if (algorithms.Length == 0)
        {
            throw new ArgumentException(
                "the provider advertises no ID token algorithm this edge accepts (RS256, PS256, ES256, …)",
                nameof(advertisedAlgorithms));
        }

        return new TokenValidationParameters(providerKeys, issuer, [clientId], algorithms)
        {
            TimeProvider = time,
            RequiredNonce = nonce,
        };
    }
}
