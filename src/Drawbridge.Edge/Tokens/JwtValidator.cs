using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// Validates a compact JWS JWT (RFC 7515 §7.1, RFC 7519 §7.2) against parameters the caller
/// pins, following RFC 8725 (JWT Best Current Practices):
/// <list type="bullet">
/// <item>the algorithm comes from a closed table of asymmetric algorithms and must also be
/// allowed by the caller — "none" and HS* can never pass (§3.1, §3.2);</item>
/// <item>the key comes only from the configured set, by kid, and must have the algorithm's
/// type and curve — an RS256 header never meets an EC key, a header's "jwk"/"jku" is
/// never used (§3.10);</item>
/// <item>claims are read only after the signature verifies, and iss, aud and exp are always
/// checked (§3.8, §3.9).</item>
/// </list>
/// Every refusal is a <see cref="TokenFailure"/> and a sentence; no exception escapes.
/// </summary>
internal static partial class JwtValidator
{
    private static readonly JsonDocumentOptions s_jsonOptions = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = 32,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static TokenValidationResult Validate(string? token, TokenValidationParameters parameters)
    {
        try
        {
            return ValidateCore(token, parameters);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or CryptographicException
                                       or ArgumentException or InvalidOperationException or OverflowException)
        {
            // Fail closed: input the checks below did not foresee is a refusal, never a crash.
            return Fail(TokenFailure.Malformed, "the token could not be read");
        }
    }

    private static TokenValidationResult ValidateCore(string? token, TokenValidationParameters parameters)
    {
        // 1. Shape: bounded length, exactly three strict base64url parts (a JWE has five).
        if (string.IsNullOrEmpty(token))
        {
            return Fail(TokenFailure.Malformed, "no token was presented");
        }

        if (token.Length > parameters.MaxTokenLength)
        {
            return Fail(TokenFailure.TooLong,
                $"the token is {token.Length} characters long; at most {parameters.MaxTokenLength} are accepted");
        }

        int first = token.IndexOf('.', StringComparison.Ordinal);
        int second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return Fail(TokenFailure.Malformed, "the token is not a JWT: it must have three dot-separated parts");
        }

        if (!Base64UrlStrict.TryDecode(token.AsSpan(0, first), out byte[] header)
            || !Base64UrlStrict.TryDecode(token.AsSpan(first + 1, second - first - 1), out byte[] payload)
            || !Base64UrlStrict.TryDecode(token.AsSpan(second + 1), out byte[] signature))
        {
            return Fail(TokenFailure.Malformed, "a part of the token is not base64url");
        }

        // 2. Header: an algorithm we implement and the caller allows; a kid if any.
        if (!TryReadHeader(header, parameters, out JwsAlgorithm? algorithm, out string? keyId, out TokenValidationResult? failure))
        {
            return failure;
        }

        // 3. Key: from the configured set only, matching the algorithm's type and curve.
        if (!TrySelectKey(parameters.Keys, algorithm, keyId, out JsonWebKey? key, out failure))
        {
            return failure;
        }

        // 4. Signature over the ASCII "header.payload" (RFC 7515 §5.2 step 8).
        byte[] signingInput = Encoding.ASCII.GetBytes(token, 0, second);
        if (!algorithm.Verify(key, signingInput, signature))
        {
            return Fail(TokenFailure.BadSignature, $"the token signature does not verify with key '{Printable(key.KeyId)}'");
        }

        // 5. Claims, read only now that they are authentic.
        return CheckClaims(payload, algorithm, key, parameters);
    }

    private static bool TryReadHeader(byte[] bytes, TokenValidationParameters parameters,
        [NotNullWhen(true)] out JwsAlgorithm? algorithm, out string? keyId, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        algorithm = null;
        keyId = null;
        if (!TryParseObject(bytes, "header", out JsonDocument? document, out failure))
        {
            return false;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (!TryReadString(root, "alg", required: true, out string? name, out failure)
                || !TryReadString(root, "kid", required: false, out keyId, out failure))
            {
                return false;
            }

            if (!JwsAlgorithm.TryGet(name!, out algorithm))
            {
                failure = Fail(TokenFailure.UnsupportedAlgorithm, $"algorithm '{Printable(name)}' is never accepted");
                return false;
            }

            if (!parameters.AllowedAlgorithms.Contains(algorithm.Name))
            {
                failure = Fail(TokenFailure.AlgorithmNotAllowed,
                    $"algorithm {algorithm.Name} is not allowed here (allowed: {string.Join(", ", parameters.AllowedAlgorithms.Order(StringComparer.Ordinal))})");
                return false;
            }

            // RFC 7515 §4.1.11: a "crit" extension the recipient does not understand makes the
            // JWS invalid; this edge understands none (e.g. RFC 7797's unencoded "b64").
            if (root.TryGetProperty("crit", out _))
            {
                failure = Fail(TokenFailure.UnsupportedHeader, "the token header lists critical extensions (crit), which are not supported");
                return false;
            }

            return true;
        }
    }

    private static bool TrySelectKey(JsonWebKeySet keys, JwsAlgorithm algorithm, string? keyId,
        [NotNullWhen(true)] out JsonWebKey? key, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        failure = null;
        if (keyId is null)
        {
            JsonWebKey[] candidates = [.. keys.Keys.Where(k => algorithm.CanUse(k) && (k.Algorithm ?? algorithm.Name) == algorithm.Name)];
            key = candidates.Length == 1 ? candidates[0] : null;
            if (key is null)
            {
                failure = Fail(TokenFailure.MissingKeyId,
                    $"the token names no key (kid) and {candidates.Length} keys could verify {algorithm.Name}; exactly one is required");
                return false;
            }

            return true;
        }

        if (!keys.TryFind(keyId, out key))
        {
            failure = Fail(TokenFailure.UnknownKeyId, $"unknown kid '{Printable(keyId)}'");
            return false;
        }

        if (!algorithm.CanUse(key))
        {
            failure = Fail(TokenFailure.KeyMismatch, $"key '{Printable(keyId)}' is an {key.Describe()} key and cannot verify {algorithm.Name}");
            return false;
        }

        if (key.Algorithm is not null && key.Algorithm != algorithm.Name)
        {
            failure = Fail(TokenFailure.KeyMismatch, $"key '{Printable(keyId)}' is published for {key.Algorithm}, not {algorithm.Name}");
            return false;
        }

        return true;
    }

    private static bool TryParseObject(byte[] bytes, string part,
        [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        failure = null;
        try
        {
            document = JsonDocument.Parse(bytes, s_jsonOptions);
        }
        catch (JsonException)
        {
            document = null;
            failure = Fail(TokenFailure.Malformed, $"the token {part} is not valid JSON (or repeats a member)");
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            failure = Fail(TokenFailure.Malformed, $"the token {part} is not a JSON object");
            return false;
        }

        return true;
    }

    private static bool TryReadString(JsonElement root, string name, bool required,
        out string? value, [NotNullWhen(false)] out TokenValidationResult? failure)
    {
        value = null;
        failure = null;
        if (!root.TryGetProperty(name, out JsonElement element))
        {
            if (required)
            {
                failure = Fail(TokenFailure.MissingClaim, $"the token has no \"{name}\"");
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            failure = Fail(TokenFailure.Malformed, $"the token's \"{name}\" is not a string");
            return false;
        }

        value = element.GetString();
        return true;
    }

    private static TokenValidationResult Fail(TokenFailure failure, string message) => TokenValidationResult.Fail(failure, message);

    /// <summary>A token-supplied value made safe for a log line: printable ASCII, at most 80 characters.</summary>
    private static string Printable(string? value)
    {
        if (value is null)
        {
            return "";
        }

        const int MaxLength = 80;
        var builder = new StringBuilder(Math.Min(value.Length, MaxLength + 1));
        foreach (char c in value.AsSpan(0, Math.Min(value.Length, MaxLength)))
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return value.Length > MaxLength ? builder.Append('…').ToString() : builder.ToString();
    }

    private static string FormatTime(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
