using System.Net;
using System.Text.Json;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>
/// GET /api/v1/openapi.json: served without a credential, equal to the committed
/// docs/admin-api.openapi.json, and true to what every endpoint actually answers.
/// </summary>
public sealed class AdminApiOpenApiTests : IAsyncLifetime
{
    /// <summary>Set to 1 to rewrite docs/admin-api.openapi.json from the edge (then review the diff and commit it).</summary>
    private const string UpdateVariable = "DRAWBRIDGE_UPDATE_OPENAPI";

    private AdminEdge _edge = null!;

    public async Task InitializeAsync() => _edge = await AdminEdge.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task Document_IsServedWithoutACredential_AndIsTheCommittedOne()
    {
        using HttpClient anonymous = _edge.NewClient(null);
        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Get, "openapi.json", (HttpContent?)null, anonymous);
        string served = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument document = JsonDocument.Parse(served);
        Assert.StartsWith("3.1.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        string committed = Path.Combine(RepositoryRoot(), "docs", "admin-api.openapi.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(committed, served);
        }

        Assert.True(File.Exists(committed), $"{committed} is missing: run this test with {UpdateVariable}=1");
        Assert.True((await File.ReadAllTextAsync(committed)).ReplaceLineEndings("\n") == served,
            $"{committed} differs from what the edge serves: run this test with {UpdateVariable}=1, review the diff, commit it");
    }

    /// <summary>A valid request for every documented operation, in an order where each finds what it needs.</summary>
    private static (string Method, string Template, string Path, string? Body)[] ValidRequests(string policyId, string sessionId) =>
    [
        ("POST", "/api/v1/tunnels", "tunnels", """{"name":"db"}"""),
        ("GET", "/api/v1/tunnels", "tunnels", null),
        ("GET", "/api/v1/tunnels/{reference}", "tunnels/db", null),
        ("POST", "/api/v1/tunnels/{reference}/rotate-secret", "tunnels/db/rotate-secret", null),
        ("POST", "/api/v1/routes", "routes", """{"hostname":"db.example.com","tunnel":"db"}"""),
        ("GET", "/api/v1/routes", "routes", null),
        ("POST", "/api/v1/service-tokens", "service-tokens", """{"name":"ci"}"""),
        ("GET", "/api/v1/service-tokens", "service-tokens", null),
        ("POST", "/api/v1/apps", "apps", """{"hostname":"db.example.com","sessionDuration":"8h"}"""),
        ("POST", "/api/v1/apps/{hostname}/policies", "apps/db.example.com/policies",
            """{"name":"ops","action":"allow","precedence":5,"include":["group:ops"],"require":["ip:10.0.0.0/8"],"exclude":["email:eve@example.com"]}"""),
        ("GET", "/api/v1/apps", "apps", null),
        ("GET", "/api/v1/apps/{hostname}", "apps/db.example.com", null),
        ("GET", "/api/v1/apps/{hostname}/policies", "apps/db.example.com/policies", null),
        ("POST", "/api/v1/apps/{hostname}/policy-test", "apps/db.example.com/policy-test",
            """{"email":"alice@example.com","groups":["ops"],"ip":"10.1.2.3","loginMethod":"otp"}"""),
        ("GET", "/api/v1/sessions", "sessions?all=true", null),
        ("POST", "/api/v1/sessions/revoke", "sessions/revoke", $$"""{"id":"{{sessionId}}","reason":"left the team"}"""),
        ("GET", "/api/v1/audit", "audit?limit=50&kind=admin", null),
        ("DELETE", "/api/v1/policies/{id}", $"policies/{policyId}", null),
        ("DELETE", "/api/v1/apps/{hostname}", "apps/db.example.com", null),
        ("DELETE", "/api/v1/service-tokens/{reference}", "service-tokens/ci", null),
        ("DELETE", "/api/v1/routes/{hostname}", "routes/db.example.com", null),
        ("DELETE", "/api/v1/tunnels/{reference}", "tunnels/db", null),
    ];

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task EveryOperation_AnswersItsDocumentedStatus_WithABodyOfItsDocumentedSchema()
    {
        JsonElement document = await DocumentAsync();
        UserSession session = await _edge.CreateSessionAsync("alice@example.com", ["ops"]);
        Guid policyId = Guid.Empty;
        var exercised = new List<string>();

        foreach (var (method, template, path, body) in ValidRequests("{policy}", session.Id.ToString()))
        {
            JsonElement operation = document.GetProperty("paths").GetProperty(template).GetProperty(method.ToLowerInvariant());
            (string status, JsonElement documented) = Assert.Single(operation.GetProperty("responses").EnumerateObject()
                .Where(r => r.Name.StartsWith('2')).Select(r => (r.Name, r.Value)));
            using HttpResponseMessage response = await _edge.SendAsync(new HttpMethod(method), path.Replace("{policy}", policyId.ToString("N"), StringComparison.Ordinal), body);
            JsonElement answer = await AdminEdge.BodyAsync(response, (HttpStatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));

            if (documented.TryGetProperty("content", out JsonElement content))
            {
                AssertMatches(document, content.GetProperty("application/json").GetProperty("schema"), answer, $"{method} {template}");
            }
            else
            {
                Assert.Equal(JsonValueKind.Undefined, answer.ValueKind);
            }

            if (template.EndsWith("/policies", StringComparison.Ordinal) && method == "POST")
            {
                policyId = answer.GetProperty("id").GetGuid();
            }

            exercised.Add($"{method} {template}");
        }

        string[] documentedOperations = [.. document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name != "/api/v1/openapi.json")
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal)];
        Assert.Equal(documentedOperations, exercised.Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task EveryDocumentedError_IsTheErrorBody_AndEveryOperationNeedsTheBearerToken()
    {
        JsonElement document = await DocumentAsync();
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal(["error"], Properties(document, Resolve(document, Ref("ErrorBody"))));

        foreach (JsonProperty path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject())
            {
                bool anonymous = operation.Value.TryGetProperty("security", out JsonElement security) && security.GetArrayLength() == 0;
                Assert.Equal(path.Name == "/api/v1/openapi.json", anonymous);
                JsonProperty[] errors = [.. operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] == '4')];
                Assert.Contains(errors, e => e.Name == "400"); // every operation refuses a query parameter it does not list
                Assert.Equal(!anonymous, errors.Any(e => e.Name == "401"));
                Assert.All(errors, e => Assert.Equal("#/components/schemas/ErrorBody",
                    e.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()));
            }
        }
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task AuthenticationTests_CoverEveryDocumentedOperation()
    {
        JsonElement document = await DocumentAsync();
        string[] documented = [.. document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name != "/api/v1/openapi.json")
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal)];

        string[] covered = [.. AdminApiAuthenticationTests.Endpoints.Select(row => $"{row[0]} {Template(document, (string)row[0], (string)row[1])}")
            .Order(StringComparer.Ordinal)];

        Assert.Equal(documented, covered);
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("PUT", "tunnels", "GET, POST")]
    [InlineData("PATCH", "apps/db.example.com", "DELETE, GET")]
    [InlineData("GET", "sessions/revoke", "POST")]
    public async Task WrongMethod_Is405WithAllow_AndAJsonError(string method, string path, string allow)
    {
        string before = await _edge.StateAsync();
        using HttpResponseMessage response = await _edge.SendAsync(new HttpMethod(method), path, "{}");

        string error = AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, HttpStatusCode.MethodNotAllowed));

        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Contains($"{method} is not allowed on /api/v1/{path}", error, StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("nope")]
    [InlineData("tunnels/db/routes")]
    [InlineData("apps/a/b/c")]
    public async Task UnknownPath_Is404WithAJsonError_PointingAtTheDocument(string path)
    {
        string error = await _edge.ErrorAsync(HttpStatusCode.NotFound, HttpMethod.Get, path);

        Assert.Equal($"no admin endpoint at /api/v1/{path}: the API is described at /api/v1/openapi.json", error);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task UnknownPath_WithoutACredential_Is401()
    {
        using HttpClient anonymous = _edge.NewClient(null);

        await _edge.ErrorAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "nope", client: anonymous);
    }

    private async Task<JsonElement> DocumentAsync() => await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "openapi.json");

    /// <summary>The documented path template a concrete test path stands for.</summary>
    internal static string Template(JsonElement document, string method, string path)
    {
        string[] segments = ("/api/v1/" + path).Split('/');
        return Assert.Single(document.GetProperty("paths").EnumerateObject().Where(p =>
        {
            string[] template = p.Name.Split('/');
            return p.Value.TryGetProperty(method.ToLowerInvariant(), out _) && template.Length == segments.Length &&
                template.Zip(segments).All(t => t.First.StartsWith('{') || t.First == t.Second);
        }).OrderBy(p => p.Name.Count(c => c == '{'))).Name;
    }

    private static JsonElement Ref(string name) => JsonDocument.Parse($$"""{"$ref":"#/components/schemas/{{name}}"}""").RootElement;

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out JsonElement reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    private static string[] Properties(JsonElement document, JsonElement schema) =>
        [.. Resolve(document, schema).GetProperty("properties").EnumerateObject().Select(p => p.Name)];

    /// <summary>
    /// The answer has exactly the documented properties (names and order, as the serializer writes
    /// them), each of a documented JSON type, recursively through objects and arrays.
    /// </summary>
    private static void AssertMatches(JsonElement document, JsonElement schema, JsonElement value, string where, bool top = true)
    {
        schema = Resolve(document, schema);
        string[] types = schema.TryGetProperty("type", out JsonElement type)
            ? type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!]
            : [];
        string actual = value.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => value.TryGetInt64(out _) && types.Contains("integer") ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
        Assert.True(types.Contains(actual), $"{where}: {actual} where the document says [{string.Join(", ", types)}]");

        if (value.ValueKind == JsonValueKind.Object)
        {
            Assert.True(Properties(document, schema).SequenceEqual(value.EnumerateObject().Select(p => p.Name)),
                $"{where}: answered [{string.Join(", ", value.EnumerateObject().Select(p => p.Name))}], documented [{string.Join(", ", Properties(document, schema))}]");
            foreach (JsonProperty property in value.EnumerateObject())
            {
                AssertMatches(document, schema.GetProperty("properties").GetProperty(property.Name), property.Value, $"{where}.{property.Name}", top: false);
            }
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            // A list the test asked for is never empty: an empty one would show nothing of its items.
            Assert.True(!top || value.GetArrayLength() > 0, $"{where}: answered an empty list; the test should make an item first");
            foreach (JsonElement item in value.EnumerateArray())
            {
                AssertMatches(document, schema.GetProperty("items"), item, $"{where}[]", top: false);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Drawbridge.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Drawbridge.slnx above {AppContext.BaseDirectory}");
    }
}
