using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Drawbridge.Edge.Tokens;

/// <summary>
/// An immutable set of public verification keys (RFC 7517 §5): our own (from the
/// <see cref="SigningKeyRing"/>) or an OpenID provider's (its "jwks_uri" document).
/// Parsing is hostile-input safe: size, key count and nesting are bounded, duplicate JSON
/// members and duplicate "kid"s reject the document, and unusable keys are skipped with a
/// reason in <see cref="SkippedKeys"/> so the edge can log why a provider key is ignored.
/// </summary>
internal sealed class JsonWebKeySet
{
    /// <summary>
    /// Largest document read: real provider sets are 1–20 KB (Microsoft's, with x5c
    /// certificates, is the largest seen); 256 KiB leaves room while bounding memory.
    /// </summary>
    public const int MaxDocumentBytes = 256 * 1024;

    /// <summary>Most keys in one set; providers publish two to ten.</summary>
    public const int MaxKeys = 64;

    // Duplicate members ("kty" twice) are a parser-differential trick: refuse them.
    private static readonly JsonDocumentOptions s_jsonOptions = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = 16,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private readonly JsonWebKey[] _keys;
    private readonly FrozenDictionary<string, JsonWebKey> _byKeyId;

    /// <summary>A set of the given keys. Throws <see cref="ArgumentException"/> on a duplicate kid.</summary>
    public JsonWebKeySet(IEnumerable<JsonWebKey> keys)
        : this(keys, [])
    {
    }

    private JsonWebKeySet(IEnumerable<JsonWebKey> keys, IReadOnlyList<string> skipped)
    {
        _keys = [.. keys];
        if (FindDuplicateKeyId(_keys) is string duplicate)
        {
            throw new ArgumentException($"duplicate kid '{duplicate}' in a key set", nameof(keys));
        }

        _byKeyId = _keys.Where(k => k.KeyId is not null).ToFrozenDictionary(k => k.KeyId!, StringComparer.Ordinal);
        SkippedKeys = skipped;
    }

    public static JsonWebKeySet Empty { get; } = new([]);

    public IReadOnlyList<JsonWebKey> Keys => _keys;

    /// <summary>Why each key of the parsed document that is not in <see cref="Keys"/> was left out.</summary>
    public IReadOnlyList<string> SkippedKeys { get; }

    public bool TryFind(string keyId, [NotNullWhen(true)] out JsonWebKey? key) => _byKeyId.TryGetValue(keyId, out key);

    /// <summary>Parses a public JWK Set; throws <see cref="JsonWebKeySetException"/> when the document is unusable.</summary>
    public static JsonWebKeySet Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxDocumentBytes)
        {
            throw new JsonWebKeySetException($"the JWKS document is larger than {MaxDocumentBytes / 1024} KiB");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), s_jsonOptions);
        }
        catch (JsonException ex)
        {
            throw new JsonWebKeySetException("the JWKS document is not valid JSON", ex);
        }

        using (document)
        {
            return FromRoot(document.RootElement);
        }
    }

    /// <summary>Reads and parses a JWKS response body, refusing to buffer more than <see cref="MaxDocumentBytes"/>.</summary>
    public static async Task<JsonWebKeySet> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxDocumentBytes + 1];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return Parse(buffer.AsSpan(0, length));
            }

            length += read;
        }

        throw new JsonWebKeySetException($"the JWKS document is larger than {MaxDocumentBytes / 1024} KiB");
    }

    private static JsonWebKeySet FromRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonWebKeySetException("the JWKS document is not a JSON object");
        }

        if (!root.TryGetProperty("keys", out JsonElement keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new JsonWebKeySetException("the JWKS document has no \"keys\" array");
        }

        if (keys.GetArrayLength() > MaxKeys)
        {
            throw new JsonWebKeySetException($"the JWKS document has {keys.GetArrayLength()} keys (at most {MaxKeys})");
        }

        var usable = new List<JsonWebKey>();
        var skipped = new List<string>();
        foreach (JsonElement element in keys.EnumerateArray())
        {
            if (JsonWebKey.TryParse(element, out JsonWebKey? key, out string reason))
            {
                usable.Add(key);
            }
            else
            {
                skipped.Add(reason);
            }
        }

        // Two keys under one kid: which one verifies is ambiguous, so refuse the document.
        if (FindDuplicateKeyId(usable) is string duplicate)
        {
            throw new JsonWebKeySetException($"the JWKS document has two keys with kid '{duplicate}'");
        }

        return new JsonWebKeySet(usable, skipped);
    }

    private static string? FindDuplicateKeyId(IEnumerable<JsonWebKey> keys)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonWebKey key in keys)
        {
            if (key.KeyId is not null && !seen.Add(key.KeyId))
            {
                return key.KeyId;
            }
        }

        return null;
    }
}
