using System.Buffers.Text;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// Base64url without padding (RFC 7515 §2, RFC 4648 §5), decoded strictly: only the 64
/// URL-safe characters, no padding, no whitespace, and only the canonical form (unused
/// trailing bits zero). <see cref="Base64Url"/> alone skips whitespace and accepts padding;
/// a token must have exactly one spelling so that nothing downstream (a cache key, an audit
/// record) can be fooled by a second one.
/// </summary>
internal static class Base64UrlStrict
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];

        // A single leftover character carries only 6 bits: never a whole byte.
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!IsAlphabet(c))
            {
                return false;
            }
        }

        byte[] decoded = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (!Base64Url.TryDecodeFromChars(text, decoded, out int written))
        {
            return false;
        }

        Array.Resize(ref decoded, written);

        // Canonical: re-encoding gives back the same characters (no stray trailing bits).
        if (!Base64Url.EncodeToString(decoded).AsSpan().SequenceEqual(text))
        {
            return false;
        }

        bytes = decoded;
        return true;
    }

    private static bool IsAlphabet(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}
