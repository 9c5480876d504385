using System.Text.Json.Serialization.Metadata;

namespace Drawbridge.Edge.Admin;

/// <summary>
/// What an admin endpoint reads and answers, attached to it in <see cref="AdminApi.Map"/> as
/// endpoint metadata. <see cref="AdminOpenApi"/> writes the OpenAPI document from the mapped
/// endpoints and these, with schemas exported from the very <see cref="JsonTypeInfo"/> the
/// handler serializes with, so the document cannot drift from the routes or the bodies.
/// </summary>
/// <param name="Summary">One line for the operation.</param>
/// <param name="Status">The success status (200, 201 or 204).</param>
/// <param name="Response">The success body, or null for none (204).</param>
/// <param name="Request">The JSON body read by <see cref="AdminRequestBody"/>, or null for none.</param>
/// <param name="Errors">The 4xx statuses the handler itself answers (400, 401 and 403 are implied, and 413 for a body).</param>
/// <param name="Parameters">Every path parameter of the route, and the query parameters read: <see cref="AdminQuery"/> refuses any other.</param>
internal sealed record AdminOperation(
    string Summary,
    int Status,
    JsonTypeInfo? Response,
    JsonTypeInfo? Request = null,
    IReadOnlyList<int>? Errors = null,
    IReadOnlyList<AdminParameter>? Parameters = null)
{
    /// <summary>No credential needed (the document itself: a description, no data).</summary>
    public bool Anonymous { get; init; }
}

/// <summary>A path or query parameter: <paramref name="Schema"/> is a JSON Schema, e.g. <c>{"type":"string"}</c>.</summary>
internal sealed record AdminParameter(string Name, string In, string Description, string Schema, bool Required = false)
{
    public static AdminParameter Path(string name, string description) => new(name, "path", description, """{"type":"string"}""", Required: true);

    public static AdminParameter Query(string name, string description, string schema) => new(name, "query", description, schema);
}
