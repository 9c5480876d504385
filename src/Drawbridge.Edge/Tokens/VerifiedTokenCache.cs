using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// App tokens this edge has already verified, so a client that opens many connections with one
/// token pays for the signature check and the JSON once, not per connection (C50), and a
/// connection's token check leaves almost no garbage behind among the long-lived objects of the
/// streams it opens (S10k). Keyed by the SHA-256 of the token, never the token itself: the
/// cache holds no credential, and a lookup's timing says nothing about one.
/// A hit is only a shortcut for a token that passed <see cref="JwtValidator"/> before: the
/// caller still checks that the token is for this app, this issuer, within its times, and that
/// its key is still in the ring; any doubt means a miss and the full check, whose refusal then
/// names what is wrong. Bounded: when full, expired entries go, and if that frees nothing,
/// everything does (the next connection of each client re-verifies once).
/// </summary>
internal sealed class VerifiedTokenCache
{
    /// <summary>Distinct live tokens kept: one per signed-in user and app, so a large edge stays well below.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>Longer tokens are always verified in full (app tokens are under 2 KiB; hashing a huge one is work an attacker chooses).</summary>
    private const int MaxCachedTokenBytes = 4096;

    private readonly ConcurrentDictionary<TokenDigest, Entry> _entries = new();
    private readonly int _capacity;

    public VerifiedTokenCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>The digest to look up and store <paramref name="token"/> under; false when it is not cacheable.</summary>
    public static bool TryDigest(ReadOnlySpan<char> token, out TokenDigest digest)
    {
        digest = default;
        if (token.Length > MaxCachedTokenBytes)
        {
            return false;
        }

        byte[]? rented = null;
        int max = Encoding.UTF8.GetMaxByteCount(token.Length);
        Span<byte> bytes = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(token, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..length], hash);
            digest = MemoryMarshal.Read<TokenDigest>(hash);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The claims of a token verified before with the key <paramref name="keyId"/>, if it is here.</summary>
    public bool TryGet(in TokenDigest digest, out AppTokenClaims claims, out string keyId)
    {
        if (_entries.TryGetValue(digest, out Entry entry))
        {
            (claims, keyId) = (entry.Claims, entry.KeyId);
            return true;
        }

        (claims, keyId) = (null!, "");
        return false;
    }

    public void Add(in TokenDigest digest, AppTokenClaims claims, string keyId, DateTimeOffset now)
    {
        if (_entries.Count >= _capacity)
        {
            foreach (KeyValuePair<TokenDigest, Entry> entry in _entries)
            {
                if (entry.Value.Claims.Expires <= now)
                {
                    _entries.TryRemove(entry);
                }
            }

            if (_entries.Count >= _capacity)
            {
                _entries.Clear();
            }
        }

        _entries[digest] = new Entry(claims, keyId);
    }

    /// <summary>Forgets a token (its key left the ring, or it no longer passes the checks of a hit).</summary>
    public void Remove(in TokenDigest digest) => _entries.TryRemove(digest, out _);

    /// <summary>A SHA-256 digest as four machine words: cheap to hash and compare.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct TokenDigest(ulong A, ulong B, ulong C, ulong D);

    private readonly record struct Entry(AppTokenClaims Claims, string KeyId);
}
