using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>Request bodies that are not what an endpoint reads: every POST with a body gets a clear 400 or 413 and nothing changes.</summary>
public sealed class AdminApiBodyTests : IAsyncLifetime
{
    private const int MaxBytes = 64 * 1024;

    private AdminEdge _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await AdminEdge.StartAsync();
        await _edge.CreateTunnelAsync("db-prod");
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    /// <summary>Every POST that reads a body (AdminApi.Map), and one string field it reads.</summary>
    public static TheoryData<string, string> BodyEndpoints => new()
    {
        { "tunnels", "name" },
        { "routes", "hostname" },
        { "service-tokens", "name" },
        { "apps", "hostname" },
        { "apps/localhost/policies", "name" },
        { "apps/localhost/policy-test", "email" },
        { "sessions/revoke", "email" },
    };

    /// <summary>Bodies no endpoint accepts, and the start of the error each must give.</summary>
    private static IEnumerable<(string Body, string Error)> Malformed(string field) =>
    [
        ($$"""{"{{field}}":""", "the request body is not valid JSON: "),
        ($$"""{"{{field}}":"db",}""", "the request body is not valid JSON: "),
        ($$"""{{{field}}: "db"}""", "the request body is not valid JSON: "),
        ("not json at all", "the request body is not valid JSON: "),
        ("", "the request body is not valid JSON: "),
        ($$"""{"{{field}}":"db"} {}""", "the request body is not valid JSON: "),
        ("{\"" + field + "\":" + new string('[', 1000) + new string(']', 1000) + "}", "the request body is not valid JSON: "),
        ($$"""[{"{{field}}":"db"}]""", "the request body must be a JSON object, not an array"),
        ("\"db\"", "the request body must be a JSON object, not a string"),
        ("42", "the request body must be a JSON object, not a number"),
        ("true", "the request body must be a JSON object, not true or false"),
        ("null", "the request body must be a JSON object, not null"),
        ($$"""{"{{field}}":5}""", $"{field}: expected a string"),
        ($$"""{"{{field}}":["db"]}""", $"{field}: expected a string"),
        ("{\"" + field + "\":{\"a\":1}}", $"{field}: expected a string"),
        ($$"""{"{{field}}":true}""", $"{field}: expected a string"),
        ($$"""{"{{field}}":"a","{{field}}":"b"}""", $"{field}: given twice"),
        ($$"""{"{{field}}":"a","{{field.ToUpperInvariant()}}":"b"}""", $"{field}: given twice"),
        ($$"""{"{{field}}":"a","bogus":1}""", "bogus: not a field of this request (it reads "),
        ("{\"x\\u0000\\r\\ny\":1}", "x???y: not a field of this request (it reads "),
    ];

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(BodyEndpoints))]
    public async Task MalformedBody_Is400SayingWhatIsWrong_AndChangesNothing(string path, string field)
    {
        string before = await _edge.StateAsync();

        foreach (var (body, expected) in Malformed(field))
        {
            string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, path, body);
            Assert.StartsWith(expected, error, StringComparison.Ordinal);
            Assert.DoesNotContain("Drawbridge.", error, StringComparison.Ordinal); // no .NET type names
        }

        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("apps", """{"hostname":"db.example.com","sessionDuration":8}""", "sessionDuration: expected a string")]
    [InlineData("apps/localhost/policies", """{"action":"allow","precedence":"first"}""", "precedence: expected a whole number")]
    [InlineData("apps/localhost/policies", """{"action":"allow","precedence":1.5}""", "precedence: expected a whole number")]
    [InlineData("apps/localhost/policies", """{"action":"allow","precedence":99999999999}""", "precedence: expected a whole number")]
    [InlineData("apps/localhost/policies", """{"action":"allow","include":"everyone"}""", "include: expected a list of strings")]
    [InlineData("apps/localhost/policies", """{"action":"allow","include":[1]}""", "include: expected a list of strings")]
    [InlineData("apps/localhost/policies", """{"action":"allow","exclude":{"a":1}}""", "exclude: expected a list of strings")]
    [InlineData("apps/localhost/policy-test", """{"groups":"ops"}""", "groups: expected a list of strings")]
    [InlineData("sessions/revoke", """{"id":"not-a-uuid"}""", "id: expected an id (a UUID)")]
    [InlineData("sessions/revoke", """{"id":42}""", "id: expected an id (a UUID)")]
    public async Task WrongTypeInAField_Is400NamingTheFieldAndTheType_AndChangesNothing(string path, string body, string expected)
    {
        string before = await _edge.StateAsync();

        Assert.Equal(expected, await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, path, body));

        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(BodyEndpoints))]
    public async Task InvalidUtf8_Is400_AndChangesNothing(string path, string field)
    {
        string before = await _edge.StateAsync();
        byte[] invalid = [0xC3, 0x28, 0xFF];
        var content = new ByteArrayContent([.. "{\""u8, .. Encoding.UTF8.GetBytes(field), .. "\":\""u8, .. invalid, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Post, path, content);

        Assert.Equal($"{field}: is not valid UTF-8", AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, HttpStatusCode.BadRequest)));
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(BodyEndpoints))]
    public async Task OversizedBodyWithContentLength_Is413_AndChangesNothing(string path, string field)
    {
        string before = await _edge.StateAsync();
        var content = new ByteArrayContent(Padded(MaxBytes + 1, $$"""{"{{field}}":"big"}"""));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Post, path, content);

        Assert.Equal($"request body over {MaxBytes} bytes", AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, HttpStatusCode.RequestEntityTooLarge)));
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("tunnels", MaxBytes + 1)]
    [InlineData("routes", MaxBytes + 1)]
    [InlineData("service-tokens", MaxBytes + 1)]
    [InlineData("apps", MaxBytes + 1)]
    [InlineData("apps/localhost/policies", MaxBytes + 1)]
    [InlineData("apps/localhost/policy-test", MaxBytes + 1)]
    [InlineData("sessions/revoke", MaxBytes + 1)]
    [InlineData("tunnels", 256 * 1024)]
    public async Task OversizedChunkedBody_Is413_AndChangesNothing(string path, int size)
    {
        string before = await _edge.StateAsync();

        var content = new ChunkedContent(Padded(size));
        Assert.Null(content.Headers.ContentLength);

        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Post, path, content);

        Assert.Equal($"request body over {MaxBytes} bytes", AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, HttpStatusCode.RequestEntityTooLarge)));
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyOfExactlyTheLimit_IsRead(bool chunked)
    {
        byte[] body = Padded(MaxBytes, """{"name":"padded"}""");
        HttpContent content = chunked ? new ChunkedContent(body) : new ByteArrayContent(body);

        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Post, "tunnels", content);

        Assert.Equal("padded", (await AdminEdge.BodyAsync(response, HttpStatusCode.Created)).GetProperty("name").GetString());
    }

    /// <summary>A valid JSON object padded with whitespace to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] Padded(int size, string json = """{"name":"big","hostname":"big.example.com","tunnel":"db-prod"}""")
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json.PadRight(size));
        Assert.Equal(size, bytes.Length);
        return bytes;
    }

    /// <summary>Content of unknown length, so HTTP/1.1 sends it chunked (no Content-Length for the server to check first).</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (int offset = 0; offset < bytes.Length; offset += 8 * 1024)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8 * 1024, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
