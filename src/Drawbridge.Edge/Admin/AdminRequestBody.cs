using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Edge.Admin;

/// <summary>Reads a JSON request body with a size limit and an error that says what was wrong.</summary>
internal static class AdminRequestBody
{
    /// <summary>Admin bodies are a few names; 64 KiB is far above any legitimate one.</summary>
    public const int MaxBytes = 64 * 1024;

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            return (null, Results.Json(new ErrorBody($"request body over {MaxBytes} bytes"), statusCode: StatusCodes.Status413PayloadTooLarge));
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, Results.Json(new ErrorBody($"request body over {MaxBytes} bytes"), statusCode: StatusCodes.Status413PayloadTooLarge));
            }

            buffer.Write(chunk, 0, read);
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
}
