using System.Net;
using System.Text.Json;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>
/// Query strings are as strict as bodies: on every endpoint a parameter its operation does not
/// list in the OpenAPI document, or one given twice, is a 400 naming it (and the ones it reads),
/// and nothing changes. A typo such as <c>sessions?al=true</c> is never silently ignored.
/// </summary>
public sealed class AdminApiQueryTests : IAsyncLifetime
{
    private AdminEdge _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await AdminEdge.StartAsync();
        await _edge.SeedAsync();
        // Someone for `sessions/revoke {"email":"a@example.com"}` to revoke, were the query not refused.
        await _edge.CreateSessionAsync("a@example.com", []);
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(AdminApiAuthenticationTests.Endpoints), MemberType = typeof(AdminApiAuthenticationTests))]
    public async Task UnknownQueryParameter_Is400NamingItAndTheDocumentedOnes_AndChangesNothing(string method, string path, string? body)
    {
        JsonElement document = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "openapi.json");
        string template = AdminApiOpenApiTests.Template(document, method, path);
        string[] documented = QueryParameters(document, method, template);
        string reads = documented.Length == 0 ? "it reads no query parameters" : $"it reads {string.Join(", ", documented)}";
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, new HttpMethod(method), $"{path}?bogus=1", body);

        Assert.Equal($"bogus: not a query parameter of {method} {template} ({reads})", error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task EveryDocumentedQueryParameter_IsAccepted_ButGivenTwiceIs400()
    {
        JsonElement document = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "openapi.json");
        var checkedParameters = new List<string>();

        foreach (JsonProperty path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject())
            {
                string method = operation.Name.ToUpperInvariant();
                foreach (string name in QueryParameters(document, method, path.Name))
                {
                    // Only GETs read a query; a GET changes nothing, so the state check is the change counter's.
                    Assert.Equal("GET", method);
                    Assert.DoesNotContain('{', path.Name);
                    string relative = path.Name["/api/v1/".Length..];
                    string once = $"{name}={Uri.EscapeDataString(ValidValue(name))}";
                    string before = await _edge.StateAsync();

                    await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"{relative}?{once}");
                    string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Get, $"{relative}?{once}&{once}");

                    Assert.Equal($"{name}: given twice", error);
                    Assert.Equal(before, await _edge.StateAsync());
                    checkedParameters.Add($"{path.Name}?{name}");
                }
            }
        }

        Assert.Equal(
            ["/api/v1/audit?app", "/api/v1/audit?kind", "/api/v1/audit?limit", "/api/v1/audit?since", "/api/v1/audit?user", "/api/v1/sessions?all"],
            checkedParameters.Order(StringComparer.Ordinal));
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("sessions?al=true", "al: not a query parameter of GET /api/v1/sessions (it reads all)")]
    [InlineData("sessions?all=true&ALL=false", "all: given twice")]
    [InlineData("audit?snce=2026-01-01T00:00:00Z", "snce: not a query parameter of GET /api/v1/audit (it reads since, limit, user, app, kind)")]
    [InlineData("audit?limit=5&kind=admin&limit=6", "limit: given twice")]
    [InlineData("audit?kind=admin&Kind=admin", "kind: given twice")]
    [InlineData("tunnels?all", "all: not a query parameter of GET /api/v1/tunnels (it reads no query parameters)")]
    [InlineData("tunnels?=x", "(a parameter without a name): not a query parameter of GET /api/v1/tunnels (it reads no query parameters)")]
    [InlineData("tunnels?a%0D%0Ab=1", "a??b: not a query parameter of GET /api/v1/tunnels (it reads no query parameters)")]
    public async Task Typos_AndRepeats_Are400SayingWhich(string path, string expected)
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Get, path);

        Assert.Equal(expected, error);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task TheDocument_RefusesAnUnknownQueryParameterToo()
    {
        using HttpClient anonymous = _edge.NewClient(null);

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "openapi.json?version=2", client: anonymous);

        Assert.Equal("version: not a query parameter of GET /api/v1/openapi.json (it reads no query parameters)", error);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task WithoutACredential_AnUnknownQueryParameter_Is401_NotADescriptionOfTheEndpoint()
    {
        using HttpClient anonymous = _edge.NewClient(null);

        string error = await _edge.ErrorAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "sessions?al=true", client: anonymous);

        Assert.DoesNotContain("query parameter", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = AdminEdge.TestTimeout)]
    public async Task AnEmptyQueryString_HasNoParameters()
    {
        JsonElement tunnels = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "tunnels?");

        Assert.Equal(1, tunnels.GetArrayLength());
    }

    /// <summary>The query parameters the document lists for an operation, in its order.</summary>
    private static string[] QueryParameters(JsonElement document, string method, string template) =>
        document.GetProperty("paths").GetProperty(template).GetProperty(method.ToLowerInvariant()).TryGetProperty("parameters", out JsonElement parameters)
            ? [.. parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!)]
            : [];

    /// <summary>A value each documented query parameter accepts (a new parameter fails here until it is given one).</summary>
    private static string ValidValue(string name) => name switch
    {
        "all" => "true",
        "since" => "2026-01-01T00:00:00Z",
        "limit" => "5",
        "user" => "a@example.com",
        "app" => "db.example.com",
        "kind" => "admin",
        _ => throw new InvalidOperationException($"no valid value for the query parameter '{name}': add one here"),
    };
}
