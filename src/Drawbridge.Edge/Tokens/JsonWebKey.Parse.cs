using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

internal sealed partial class JsonWebKey
{
    /// <summary>Longest "kid" kept; real ones are thumbprints or short names.</summary>
    public const int MaxKeyIdLength = 256;

    /// <summary>
    /// Reads one key of a public JWK Set. Returns false, with the reason, for a key this edge
    /// must not use: RFC 7517 §5 says to ignore keys whose "kty" is not understood, that miss
    /// required members, or whose values are out of range, rather than reject the whole set.
    /// Private members ("d", "p", "q", "dp", "dq", "qi", "oth") are never read.
    /// </summary>
    public static bool TryParse(JsonElement element, [NotNullWhen(true)] out JsonWebKey? key, out string reason)
    {
        key = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            reason = "a key is not a JSON object";
            return false;
        }

        if (!TryGetString(element, "kty", required: true, out string? kty, out reason)
            || !TryGetString(element, "kid", required: false, out string? kid, out reason)
            || !TryGetString(element, "use", required: false, out string? use, out reason)
            || !TryGetString(element, "alg", required: false, out string? alg, out reason))
        {
            return false;
        }

        string label = kid is null ? "a key without kid" : $"key '{kid}'";
        if (kid is not null && (kid.Length == 0 || kid.Length > MaxKeyIdLength))
        {
            reason = $"a key has a kid of {kid.Length} characters (1 to {MaxKeyIdLength} allowed)";
            return false;
        }

        // RFC 7517 §4.2: "enc" keys (or anything but "sig") must not verify signatures.
        if (use is not null && use != "sig")
        {
            reason = $"{label} has use '{use}', not 'sig'";
            return false;
        }

        JsonWebKeyType type;
        switch (kty)
        {
            case "EC":
                type = JsonWebKeyType.EllipticCurve;
                break;
            case "RSA":
                type = JsonWebKeyType.Rsa;
                break;
            default:
                reason = $"{label} has unsupported kty '{kty}'";
                return false;
        }

        if (alg is not null && (!JwsAlgorithm.TryGet(alg, out JwsAlgorithm? algorithm) || algorithm.KeyType != type))
        {
            reason = $"{label} has alg '{alg}', which is not a supported signature algorithm for kty {kty}";
            return false;
        }

        bool parsed = type == JsonWebKeyType.EllipticCurve
            ? TryParseEc(element, label, kid, use, alg, out key, out reason)
            : TryParseRsa(element, label, kid, use, alg, out key, out reason);
        if (parsed && alg is not null && JwsAlgorithm.TryGet(alg, out JwsAlgorithm? named) && !named.CanUse(key!))
        {
            reason = $"{label} has alg '{alg}', which cannot be used with curve {key!.Curve}";
            key = null;
            return false;
        }

        return parsed;
    }

    private static bool TryParseEc(JsonElement element, string label, string? kid, string? use, string? alg,
        [NotNullWhen(true)] out JsonWebKey? key, out string reason)
    {
        key = null;
        if (!TryGetString(element, "crv", required: true, out string? crv, out reason))
        {
            return false;
        }

        // RFC 7518 §6.2.1.2: coordinates are the full field size, leading zeros kept.
        int size = crv switch { "P-256" => 32, "P-384" => 48, _ => 0 };
        if (size == 0)
        {
            reason = $"{label} has unsupported crv '{crv}'";
            return false;
        }

        if (!TryGetBytes(element, "x", label, out byte[] x, out reason)
            || !TryGetBytes(element, "y", label, out byte[] y, out reason))
        {
            return false;
        }

        if (x.Length != size || y.Length != size)
        {
            reason = $"{label}: x and y must be {size} bytes for {crv} (got {x.Length} and {y.Length})";
            return false;
        }

        var candidate = new JsonWebKey(JsonWebKeyType.EllipticCurve, kid, use, alg, crv, x, y, [], []);
        try
        {
            // Importing checks that (x, y) is a point on the curve (invalid-curve attacks).
            using ECDsa check = candidate.CreateECDsa();
        }
        catch (CryptographicException)
        {
            reason = $"{label}: (x, y) is not a point on {crv}";
            return false;
        }

        key = candidate;
        return true;
    }

    private static bool TryParseRsa(JsonElement element, string label, string? kid, string? use, string? alg,
        [NotNullWhen(true)] out JsonWebKey? key, out string reason)
    {
        key = null;
        if (!TryGetBytes(element, "n", label, out byte[] n, out reason)
            || !TryGetBytes(element, "e", label, out byte[] e, out reason))
        {
            return false;
        }

        n = TrimLeadingZeros(n);
        e = TrimLeadingZeros(e);
        int bits = BitLength(n);
        if (bits < MinRsaModulusBits || bits > MaxRsaModulusBits)
        {
            reason = $"{label}: RSA modulus of {bits} bits (between {MinRsaModulusBits} and {MaxRsaModulusBits} required)";
            return false;
        }

        // A public exponent is odd and at least 3; more than 4 bytes only slows verification.
        if (e.Length > 4 || (e[^1] & 1) == 0 || (e.Length == 1 && e[0] < 3) || (n[^1] & 1) == 0)
        {
            reason = $"{label}: RSA exponent or modulus is not valid";
            return false;
        }

        var candidate = new JsonWebKey(JsonWebKeyType.Rsa, kid, use, alg, null, [], [], n, e);
        try
        {
            using RSA check = candidate.CreateRsa();
        }
        catch (CryptographicException)
        {
            reason = $"{label}: not a valid RSA public key";
            return false;
        }

        key = candidate;
        return true;
    }

    private static bool TryGetString(JsonElement element, string name, bool required, out string? value, out string reason)
    {
        value = null;
        reason = "";
        if (!element.TryGetProperty(name, out JsonElement property))
        {
            if (required)
            {
                reason = $"a key has no \"{name}\"";
                return false;
            }

            return true;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            reason = $"a key has a \"{name}\" that is not a string";
            return false;
        }

        value = property.GetString();
        return true;
    }

    private static bool TryGetBytes(JsonElement element, string name, string label, out byte[] bytes, out string reason)
    {
        bytes = [];
        if (!TryGetString(element, name, required: true, out string? text, out reason))
        {
            reason = $"{label}: {reason}";
            return false;
        }

        if (text!.Length == 0 || !Base64UrlStrict.TryDecode(text, out bytes))
        {
            reason = $"{label}: \"{name}\" is not base64url";
            return false;
        }

        return true;
    }
}
