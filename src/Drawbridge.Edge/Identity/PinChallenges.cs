using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// The built-in one-time PIN sign-in: a 6-digit code per e-mail address, single-use, valid for
/// 10 minutes, void after 5 wrong tries, at most one new code per 30 s per address. Only a hash of
/// each code is kept. Guessing is bounded: 5 tries of 10⁶ codes per issued code, and issuing is
/// throttled, so an attacker gets at most 10 guesses a minute per address.
/// </summary>
internal sealed class PinChallenges(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(30);
    public const int MaxTries = 5;

    /// <summary>Outstanding codes at most: beyond it, expired ones are dropped, then requests wait.</summary>
    private const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, Challenge> _challenges = new(StringComparer.Ordinal);

    public PinResult Request(string email)
    {
        string key = email.ToLowerInvariant();
        DateTimeOffset now = time.GetUtcNow();
        if (_challenges.TryGetValue(key, out Challenge? existing) && now - existing.IssuedAt < ResendInterval)
        {
            return new PinResult(PinOutcome.Throttled);
        }

        if (_challenges.Count >= Capacity)
        {
            DropExpired(now);
            if (_challenges.Count >= Capacity)
            {
                return new PinResult(PinOutcome.Throttled);
            }
        }

        string code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        _challenges[key] = new Challenge(Hash(code), now, now + Lifetime);
        return new PinResult(PinOutcome.Issued, code);
    }

    public PinResult Verify(string email, string? code)
    {
        string key = email.ToLowerInvariant();
        if (!_challenges.TryGetValue(key, out Challenge? challenge))
        {
            return new PinResult(PinOutcome.NoCode);
        }

        lock (challenge)
        {
            if (challenge.Used)
            {
                return new PinResult(PinOutcome.NoCode);
            }

            if (time.GetUtcNow() >= challenge.ExpiresAt)
            {
                _challenges.TryRemove(new(key, challenge));
                return new PinResult(PinOutcome.Expired);
            }

            string candidate = (code ?? "").Trim();
            bool wellFormed = candidate.Length == 6 && candidate.All(char.IsAsciiDigit);
            if (wellFormed && CryptographicOperations.FixedTimeEquals(Hash(candidate), challenge.CodeHash))
            {
                challenge.Used = true;
                _challenges.TryRemove(new(key, challenge));
                return new PinResult(PinOutcome.Verified);
            }

            challenge.Tries++;
            if (challenge.Tries >= MaxTries)
            {
                challenge.Used = true;
                // Keep the spent entry until it expires: it still throttles new requests.
                return new PinResult(PinOutcome.TooManyTries);
            }

            return new PinResult(PinOutcome.Wrong, TriesLeft: MaxTries - challenge.Tries);
        }
    }

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.ASCII.GetBytes(code));

    private void DropExpired(DateTimeOffset now)
    {
        foreach (var (key, challenge) in _challenges)
        {
            if (challenge.ExpiresAt <= now)
            {
                _challenges.TryRemove(new(key, challenge));
            }
        }
    }

    private sealed class Challenge(byte[] codeHash, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        public byte[] CodeHash { get; } = codeHash;

        public DateTimeOffset IssuedAt { get; } = issuedAt;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public int Tries { get; set; }

        public bool Used { get; set; }
    }
}
