using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Drawbridge.Edge.Admin;

/// <summary>
/// What one admin change found and left behind, for its audit record (issue 3 item 6: who, what,
/// before/after). Only the API's views go in, never a request or response that carries a secret.
/// </summary>
internal sealed class AdminChange
{
    private string? _before;
    private string? _after;

    /// <summary>The thing as it was (for a delete, revoke or update).</summary>
    public void Was<T>(T value, JsonTypeInfo<T> type) => _before = JsonSerializer.Serialize(value, type);

    /// <summary>The thing as it is now (for a create or update).</summary>
    public void Is<T>(T value, JsonTypeInfo<T> type) => _after = JsonSerializer.Serialize(value, type);

    /// <summary><c>{"before":…,"after":…}</c>, or null when the change recorded neither.</summary>
    public string? Detail => _before is null && _after is null ? null : $$"""{"before":{{_before ?? "null"}},"after":{{_after ?? "null"}}}""";
}
