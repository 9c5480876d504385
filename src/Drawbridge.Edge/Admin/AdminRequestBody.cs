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

        try
        {
            T? value = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type);
            return value is null
                ? (null, Results.Json(new ErrorBody("the request body must be a JSON object"), statusCode: StatusCodes.Status400BadRequest))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Results.Json(new ErrorBody($"the request body is not valid JSON for this endpoint: {ex.Message}"), statusCode: StatusCodes.Status400BadRequest));
        }
    }

    private static IResult TooLarge() =>
        Results.Json(new ErrorBody($"request body over {MaxBytes} bytes"), statusCode: StatusCodes.Status413PayloadTooLarge);
}
