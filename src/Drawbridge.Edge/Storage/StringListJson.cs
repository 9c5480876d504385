using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Drawbridge.Edge.Storage;

/// <summary>
/// A list of strings in one TEXT column, as a JSON array: portable (PostgreSQL reads it as
/// <c>jsonb</c> if it ever needs to query inside), and unambiguous for values that contain any
/// separator. Written and read by hand, so no reflection (and no trimming warning) is involved.
/// </summary>
internal static class StringListJson
{
    /// <summary>Escape only what JSON requires: the text is stored, never put in HTML, so quotes and non-ASCII stay readable in the file.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(IReadOnlyList<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The list in <paramref name="json"/>; a <see cref="StoreSchemaException"/> naming <paramref name="column"/> if it is not an array of strings.</summary>
    public static string[] Read(string json, string column)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new StoreSchemaException($"{column} holds {document.RootElement.ValueKind}, not a JSON array of strings: the database was edited by hand.");
            }

            var values = new string[document.RootElement.GetArrayLength()];
            int i = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                values[i++] = element.ValueKind == JsonValueKind.String
                    ? element.GetString()!
                    : throw new StoreSchemaException($"{column} holds a {element.ValueKind} in its array, not a string: the database was edited by hand.");
            }

            return values;
        }
        catch (JsonException ex)
        {
            throw new StoreSchemaException($"{column} is not valid JSON: the database was edited by hand.", ex);
        }
    }
}
