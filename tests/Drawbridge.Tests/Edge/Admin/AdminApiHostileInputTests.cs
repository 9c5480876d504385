using System.Net;
using System.Text.Json;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>
/// Hostile path and query values on every endpoint that takes one: a clear 4xx whose
/// <c>{"error": …}</c> is short, printable and names the field or the thing, never a 500, and
/// nothing changes.
/// </summary>
public sealed class AdminApiHostileInputTests : IAsyncLifetime
{
    private AdminEdge _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await AdminEdge.StartAsync();
        await _edge.SeedAsync();
        await _edge.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "apps", """{"hostname":"db.example.com"}""");
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    /// <summary>
    /// Path values as sent (percent-encoded). The longest stays under Kestrel's 8 KiB request
    /// line: past it Kestrel itself answers 414 before any endpoint runs.
    /// </summary>
    public static TheoryData<string> HostileValues =>
    [
        new string('a', 4000),
        "a%01b",
        "a%0D%0AX-Injected:%201",
        "a%2Fb",
        "..%2F..%2Fetc%2Fpasswd",
        "%27%20OR%201%3D1%20--",
        "x%27%3B%20DROP%20TABLE%20tunnels%3B%20--",
        "%E2%80%AEmoc.elpmaxe",
        "%20",
    ];

    /// <summary>Every route with a path parameter ({0} is the value), and a body it would accept.</summary>
    private static readonly (string Method, string Path, string? Body)[] PathEndpoints =
    [
        ("GET", "tunnels/{0}", null),
        ("DELETE", "tunnels/{0}", null),
        ("POST", "tunnels/{0}/rotate-secret", null),
        ("DELETE", "routes/{0}", null),
        ("DELETE", "service-tokens/{0}", null),
        ("GET", "apps/{0}", null),
        ("DELETE", "apps/{0}", null),
        ("POST", "apps/{0}/policies", """{"name":"p","action":"allow","include":["everyone"]}"""),
        ("GET", "apps/{0}/policies", null),
        ("POST", "apps/{0}/policy-test", """{"email":"a@example.com"}"""),
        ("DELETE", "policies/{0}", null),
    ];

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(HostileValues))]
    public async Task HostilePathValue_IsAClear4xx_OnEveryEndpoint_AndChangesNothing(string value)
    {
        string before = await _edge.StateAsync();

        foreach (var (method, path, body) in PathEndpoints)
        {
            using HttpResponseMessage response = await _edge.SendAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, path, value), body);
            string where = $"{method} {path}";
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{where}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            AssertClear(AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, response.StatusCode)), where);
        }

        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("sessions?all=yes", "all: ")]
    [InlineData("sessions?all=1", "all: ")]
    [InlineData("sessions?all=true%00", "all: ")]
    [InlineData("audit?since=yesterday", "since: ")]
    [InlineData("audit?since=%27%20OR%201%3D1%20--", "since: ")]
    [InlineData("audit?since=2026-13-45T99:00:00Z", "since: ")]
    [InlineData("audit?limit=0", "limit: ")]
    [InlineData("audit?limit=-1", "limit: ")]
    [InlineData("audit?limit=10001", "limit: ")]
    [InlineData("audit?limit=99999999999999999999", "limit: ")]
    [InlineData("audit?limit=ten", "limit: ")]
    [InlineData("audit?limit=1e3", "limit: ")]
    [InlineData("audit?kind=everything", "kind: ")]
    [InlineData("audit?kind=admin&kind=sign_in", "kind: ")]
    [InlineData("audit?kind=%27%20OR%201%3D1%20--", "kind: ")]
    [InlineData("audit?kind=admin%0D%0A", "kind: ")]
    public async Task HostileQueryValue_Is400NamingTheParameter_AndChangesNothing(string path, string field)
    {
        string before = await _edge.StateAsync();

        string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Get, path);

        Assert.StartsWith(field, error, StringComparison.Ordinal);
        AssertClear(error, path);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("user")]
    [InlineData("app")]
    public async Task HostileFilterValue_FindsNothing_AndChangesNothing(string field)
    {
        string before = await _edge.StateAsync();

        foreach (string value in new[] { "%27%20OR%201%3D1%20--", "%25", "_", "a%00b", new string('a', 4000) })
        {
            JsonElement events = await _edge.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"audit?{field}={value}");
            Assert.Equal(0, events.GetArrayLength());
        }

        Assert.Equal(before, await _edge.StateAsync());
    }

    /// <summary>Short, one line, no control characters: safe to print in a terminal or a log.</summary>
    private static void AssertClear(string error, string where)
    {
        Assert.True(error.Length is > 0 and <= 500, $"{where}: {error.Length} characters: {error[..Math.Min(error.Length, 200)]}");
        Assert.False(error.Any(char.IsControl), $"{where}: control characters in '{error}'");
    }
}
