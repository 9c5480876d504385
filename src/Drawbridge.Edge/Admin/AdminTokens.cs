using System.Diagnostics.CodeAnalysis;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Admin;

/// <summary>Admin API tokens: <c>&lt;token id, 32 hex&gt;.&lt;32-byte secret, base64url&gt;</c>; the store keeps the id and the secret's hash.</summary>
internal static class AdminTokens
{
    public static string Format(Guid id, byte[] secret) => $"{id:N}.{SecretHash.ToBase64Url(secret)}";

    public static bool TryParse(string? token, out Guid id, [NotNullWhen(true)] out byte[]? secret)
    {
        id = Guid.Empty;
        secret = null;
        if (token is null || token.Length > 100)
        {
            return false;
        }

        int dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot == 32
            && Guid.TryParseExact(token.AsSpan(0, 32), "N", out id)
            && SecretHash.TryFromBase64Url(token.AsSpan(33), out secret)
            && secret.Length == SecretHash.SecretLength;
    }
}
