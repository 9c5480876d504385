using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// Reading and checking the fields that tunnel and admin credentials share. Every failure is a
/// <see cref="CredentialFormatException"/> naming the field and what it should hold.
/// </summary>
internal static class CredentialFields
{
    /// <summary>
    /// Credentials are a few hundred bytes, a few KiB with a CA certificate; 64 KiB leaves room
    /// for a CA bundle and stops a pasted log file from being parsed at all.
    /// </summary>
    public const int MaxJsonLength = 64 * 1024;

    public static T Deserialize<T>(string? json, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new CredentialFormatException($"The {what} is empty: expected a JSON object.");
        }

        if (json.Length > MaxJsonLength)
        {
            throw new CredentialFormatException(
                $"The {what} is {json.Length} characters long: expected a JSON object of at most {MaxJsonLength}.");
        }

        T? document;
        try
        {
            document = JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at {path}" : "";
            throw new CredentialFormatException($"The {what} is not valid JSON{where}: {ex.Message}", ex);
        }

        return document ?? throw new CredentialFormatException($"The {what} is JSON null: expected a JSON object.");
    }

    public static string ToJson<T>(T document, JsonTypeInfo<T> typeInfo) => JsonSerializer.Serialize(document, typeInfo);

    /// <summary>Compact JSON as UTF-8, base64url: one line that survives copy and paste and shell quoting.</summary>
    public static string ToToken<T>(T document, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            JsonSerializer.Serialize(writer, document, typeInfo);
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    public static string FromToken(string? token, string what)
    {
        var text = token.AsSpan().Trim();
        if (text.IsEmpty)
        {
            throw new CredentialFormatException($"The {what} token is empty: expected the base64url text printed when it was created.");
        }

        // Base64url grows 4/3: bound the input before decoding anything.
        if (text.Length > MaxJsonLength * 4 / 3 + 4 || !SecretHash.TryFromBase64Url(text, out var utf8))
        {
            throw new CredentialFormatException(
                $"The {what} token is not valid base64url: expected the single line of [A-Za-z0-9_-] printed when it was created.");
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new CredentialFormatException($"The {what} token does not decode to UTF-8 JSON.", ex);
        }
    }

    public static string Required(string? value, string field, string what, string expected)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(field, what, $"is missing: expected {expected}");
        }

        return value;
    }

    /// <summary>The edge's base URL: absolute https with a host, no credentials, query or fragment.</summary>
    public static string EdgeUrl(string? value, string what)
    {
        const string Expected = "an absolute https URL such as https://edge.example.com:443";
        var text = Required(value, "edgeUrl", what, Expected);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttps
            || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Query)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw Invalid("edgeUrl", what, $"is \"{Truncate(text)}\": expected {Expected}");
        }

        return text;
    }

    /// <summary>Null when absent (the edge has a publicly trusted certificate); otherwise PEM certificates.</summary>
    public static string? CaCertificate(string? pem, string what)
    {
        if (pem is null)
        {
            return null;
        }

        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            if (certificates.Count == 0)
            {
                throw Invalid("caCertificate", what, "holds no certificate: expected PEM text starting with -----BEGIN CERTIFICATE-----");
            }

            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
        catch (CryptographicException ex)
        {
            throw new CredentialFormatException(
                $"The {what}'s \"caCertificate\" is not a valid PEM certificate ({ex.Message}): expected PEM text starting with -----BEGIN CERTIFICATE-----.",
                ex);
        }

        return pem;
    }

    public static CredentialFormatException Invalid(string field, string what, string problem) =>
        new($"The {what}'s \"{field}\" {problem}.");

    /// <summary>Echo at most a little of a bad value: enough to recognise it, never a whole pasted secret.</summary>
    public static string Truncate(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 77), "...");
}
