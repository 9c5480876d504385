using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Drawbridge.Edge.Admin;

/// <summary>
/// The admin API's OpenAPI 3.1 document, written from the mapped endpoints: each one's route
/// pattern and method, its <see cref="AdminOperation"/>, and JSON Schemas exported from the
/// source-generated <see cref="JsonTypeInfo"/> its handler reads and writes. An endpoint under
/// <c>/api/v1</c> without an <see cref="AdminOperation"/>, or a route parameter it does not
/// describe, fails the document rather than leaving it silently incomplete.
/// </summary>
internal static class AdminOpenApi
{
    private const string Prefix = "/api/v1/";
    private const string SchemaRef = "#/components/schemas/";

    private static string? _document;

    /// <summary>The document (written once per process: the endpoints never change while it runs).</summary>
    public static string Document(IEnumerable<Endpoint> endpoints) => _document ??= Write(endpoints);

    /// <summary>The admin endpoints: (method, pattern, operation), catch-alls left out.</summary>
    public static IEnumerable<(string Method, RoutePattern Pattern, AdminOperation? Operation)> Operations(IEnumerable<Endpoint> endpoints) =>
        from endpoint in endpoints.OfType<RouteEndpoint>()
        let pattern = endpoint.RoutePattern
        where (pattern.RawText ?? "").StartsWith(Prefix, StringComparison.Ordinal) && !pattern.Parameters.Any(p => p.IsCatchAll)
        from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []
        select (method, pattern, endpoint.Metadata.GetMetadata<AdminOperation>());

    /// <summary>The methods the admin endpoints accept on <paramref name="path"/> (for a 405's Allow).</summary>
    public static IEnumerable<string> MethodsOf(IEnumerable<Endpoint> endpoints, string path) =>
        Operations(endpoints)
            .Where(o => new TemplateMatcher(TemplateParser.Parse(o.Pattern.RawText!), []).TryMatch(path, []))
            .Select(o => o.Method)
            .Distinct(StringComparer.Ordinal);

    private static string Write(IEnumerable<Endpoint> endpoints)
    {
        var schemas = new SortedDictionary<string, JsonTypeInfo>(StringComparer.Ordinal) { [nameof(ErrorBody)] = AdminJsonContext.Default.ErrorBody };
        var paths = new JsonObject();
        foreach (var group in Operations(endpoints).GroupBy(o => o.Pattern.RawText!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var item = new JsonObject();
            foreach (var (method, pattern, operation) in group.OrderBy(o => o.Method, StringComparer.Ordinal))
            {
                item[method.ToLowerInvariant()] = Operation(method, pattern, operation ?? throw new InvalidOperationException(
                    $"{method} {pattern.RawText} has no AdminOperation: describe it in AdminApi.Map"), schemas);
            }

            paths[group.Key] = item;
        }

        var document = new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "Drawbridge admin API",
                ["version"] = "1",
                ["description"] = "Everything the drawbridge CLI's tunnel, route, service-token, app, policy, session and audit commands do, "
                    + "on the edge's own host. Bodies are JSON (camelCase); a request body is at most "
                    + $"{AdminRequestBody.MaxBytes} bytes and may hold only the fields its schema lists; a query string may hold only the "
                    + "query parameters its operation lists, each once. Every error is "
                    + """{"error": "…"} saying what was wrong.""",
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["description"] = "An admin token (the apiToken in the admin.json that `drawbridge edge init` writes), or an app token "
                            + "for the edge's own hostname from `drawbridge tunnel login`, whose holder the admin application's policies allow.",
                    },
                },
                ["schemas"] = Schemas(schemas),
            },
        };
        // Relaxed escaping keeps ' and " readable; the document is served as JSON, never inside HTML.
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private static JsonObject Operation(string method, RoutePattern pattern, AdminOperation operation, SortedDictionary<string, JsonTypeInfo> schemas)
    {
        IReadOnlyList<AdminParameter> parameters = operation.Parameters ?? [];
        string[] undescribed = [.. pattern.Parameters.Select(p => p.Name).Except(parameters.Where(p => p.In == "path").Select(p => p.Name))];
        string[] unknown = [.. parameters.Where(p => p.In == "path").Select(p => p.Name).Except(pattern.Parameters.Select(p => p.Name))];
        if (undescribed.Length > 0 || unknown.Length > 0)
        {
            throw new InvalidOperationException($"{method} {pattern.RawText}: path parameters [{string.Join(", ", undescribed.Concat(unknown))}] differ from its AdminOperation");
        }

        var result = new JsonObject { ["summary"] = operation.Summary };
        if (parameters.Count > 0)
        {
            result["parameters"] = new JsonArray([.. parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["in"] = p.In,
                ["required"] = p.Required,
                ["description"] = p.Description,
                ["schema"] = JsonNode.Parse(p.Schema),
            })]);
        }

        if (operation.Request is { } request)
        {
            result["requestBody"] = new JsonObject { ["required"] = true, ["content"] = Json(request, schemas) };
        }

        var responses = new JsonObject();
        responses[Status(operation.Status)] = operation.Response is { } response
            ? new JsonObject { ["description"] = Description(operation.Status), ["content"] = Json(response, schemas) }
            : operation.Anonymous
                ? new JsonObject { ["description"] = Description(operation.Status), ["content"] = new JsonObject { ["application/json"] = new JsonObject() } }
                : new JsonObject { ["description"] = Description(operation.Status) };
        // 400 everywhere: any operation refuses a query parameter it does not list (AdminQuery).
        int[] implied = operation.Anonymous ? [400] : operation.Request is null ? [400, 401, 403] : [400, 401, 403, 413];
        IEnumerable<int> errors = implied.Concat(operation.Errors ?? []);
        foreach (int status in errors.Distinct().Order())
        {
            responses[Status(status)] = new JsonObject { ["description"] = Description(status), ["content"] = Json(AdminJsonContext.Default.ErrorBody, schemas) };
        }

        result["responses"] = responses;
        if (operation.Anonymous)
        {
            result["security"] = new JsonArray();
        }

        return result;
    }

    /// <summary><c>{"application/json": {"schema": …}}</c>: a $ref for an object, an array of $refs for a list.</summary>
    private static JsonObject Json(JsonTypeInfo type, SortedDictionary<string, JsonTypeInfo> schemas)
    {
        JsonNode schema = type.Kind == JsonTypeInfoKind.Enumerable
            ? new JsonObject { ["type"] = "array", ["items"] = Reference(AdminJsonContext.Default.GetTypeInfo(type.ElementType!)!, schemas) }
            : Reference(type, schemas);
        return new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
    }

    private static JsonObject Reference(JsonTypeInfo type, SortedDictionary<string, JsonTypeInfo> schemas)
    {
        schemas[type.Type.Name] = type;
        return new JsonObject { ["$ref"] = SchemaRef + type.Type.Name };
    }

    /// <summary>Each named body's schema; a request refuses fields it does not list (<see cref="AdminRequestBody"/>).</summary>
    private static JsonObject Schemas(SortedDictionary<string, JsonTypeInfo> schemas)
    {
        var result = new JsonObject();
        foreach (var (name, type) in schemas)
        {
            var options = new JsonSchemaExporterOptions
            {
                TreatNullObliviousAsNonNullable = true,
                // A named body inside another (a policy in an app) is referenced, not repeated.
                TransformSchemaNode = (context, node) =>
                    context.Path.Length > 0 && context.TypeInfo.Type != type.Type && schemas.ContainsKey(context.TypeInfo.Type.Name) && context.TypeInfo.Kind == JsonTypeInfoKind.Object
                        ? new JsonObject { ["$ref"] = SchemaRef + context.TypeInfo.Type.Name }
                        : node,
            };
            JsonNode schema = JsonSchemaExporter.GetJsonSchemaAsNode(type, options);
            if (name.EndsWith("Request", StringComparison.Ordinal))
            {
                schema["additionalProperties"] = false;
            }

            result[name] = schema;
        }

        return result;
    }

    private static string Status(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Description(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        204 => "Done; no body",
        400 => "The body, a path or a query value is malformed, or the query has a parameter the operation does not list or lists one twice; the error names it",
        401 => "No admin credential, or one the edge does not accept",
        403 => "Signed in, but not an administrator (the admin application's policies do not allow the caller)",
        404 => "No such thing",
        409 => "Conflicts with what exists",
        413 => $"The body is over {AdminRequestBody.MaxBytes} bytes",
        _ => "Error",
    };
}
