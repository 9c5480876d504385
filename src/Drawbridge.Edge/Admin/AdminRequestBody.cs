using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Drawbridge.Edge.Admin;

/// <summary>Reads a JSON request body with a size limit and an error that says what was wrong.</summary>
internal static class AdminRequestBody
{
    /// <summary>Admin bodies are a few names; 64 KiB is far above any legitimate one.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// Kestrel counts chunked framing (chunk sizes and CRLFs) against its body limit, so a 64 KiB
    /// body sent in small chunks would trip it and get a bare 413. Admin requests get room for
    /// framing (1-byte chunks take 6 bytes on the wire) and this reader enforces the body itself;
    /// the room also lets Kestrel drain a refused body, so the client reads the 413 instead of a reset.
    /// </summary>
    private const int MaxWireBytes = 8 * MaxBytes;

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxWireBytes;
        }

        if (context.Request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return (null, TooLarge());
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge()); // framing beyond MaxWireBytes: chunk extensions used as padding
        }

        return Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), type);
    }

    /// <summary>
    /// A JSON object whose fields are all the request's own, each once, each of its type. Unknown
    /// fields are refused rather than ignored: a misspelt <c>sesionDuration</c> silently ignored
    /// would create an app with the default; the CLI and the edge ship together, so they agree.
    /// </summary>
    internal static (T? Value, IResult? Error) Parse<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return (null, BadRequest($"the request body is not valid JSON: {Syntax(ex)}"));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, BadRequest($"the request body must be a JSON object, not {Kind(document.RootElement.ValueKind)}"));
            }

            var given = new Dictionary<string, JsonValueKind>(StringComparer.OrdinalIgnoreCase);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (Field(type, property.Name) is null)
                {
                    return (null, BadRequest($"{AdminApi.Printable(property.Name)}: not a field of this request (it reads {string.Join(", ", type.Properties.Select(p => p.Name))})"));
                }

                if (!given.TryAdd(property.Name, property.Value.ValueKind))
                {
                    return (null, BadRequest($"{Field(type, property.Name)!.Name}: given twice"));
                }
            }

            T? value;
            try
            {
                value = document.RootElement.Deserialize(type);
            }
            catch (JsonException ex)
            {
                JsonPropertyInfo? field = ex.Path is { Length: > 2 } path ? Field(type, path[2..].Split('.', '[')[0]) : null;
                string problem = ex.InnerException is { InnerException: System.Text.DecoderFallbackException } or System.Text.DecoderFallbackException
                    ? "is not valid UTF-8"
                    : $"expected {Expected(field?.PropertyType ?? typeof(object))}";
                return (null, BadRequest(field is null ? $"the request body does not fit this request: {problem}" : $"{field.Name}: {problem}"));
            }

            // A record parameter without a default is required (the OpenAPI document lists it so).
            if (type.Properties.FirstOrDefault(p => p.AssociatedParameter is { HasDefaultValue: false } &&
                given.GetValueOrDefault(p.Name, JsonValueKind.Null) == JsonValueKind.Null) is { } missing)
            {
                return (null, BadRequest($"{missing.Name}: is required"));
            }

            return (value, null);
        }
    }

    private static JsonPropertyInfo? Field(JsonTypeInfo type, string name) =>
        type.Properties.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The reader's complaint and where, without the exception's own wording about .NET types.</summary>
    private static string Syntax(JsonException ex) =>
        ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? $"{(ex.InnerException ?? ex).Message.Split(" LineNumber:")[0].TrimEnd('.')} (line {line + 1}, byte {position + 1})"
            : "it does not parse";

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "true or false",
    };

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "a string",
        var t when t == typeof(Guid) => "an id (a UUID)",
        var t when t == typeof(int) => "a whole number",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(IReadOnlyList<string>) => "a list of strings",
        var t => $"a {t.Name}",
    };

    private static IResult BadRequest(string message) => AdminApi.Error(StatusCodes.Status400BadRequest, message);

    private static IResult TooLarge() => AdminApi.Error(StatusCodes.Status413PayloadTooLarge, $"request body over {MaxBytes} bytes");
}
