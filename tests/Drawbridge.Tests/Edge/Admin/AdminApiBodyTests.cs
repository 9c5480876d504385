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

    public static TheoryData<string> BodyEndpoints => ["tunnels", "routes", "service-tokens"];

    /// <summary>Bodies no endpoint accepts, and the start of the error each must give.</summary>
    private static readonly (string Body, string Error)[] Malformed =
    [
        ("""{"name":""", "the request body is not valid JSON for this endpoint: "),
        ("""{"name":"db",}""", "the request body is not valid JSON for this endpoint: "),
        ("""{name: "db"}""", "the request body is not valid JSON for this endpoint: "),
        ("not json at all", "the request body is not valid JSON for this endpoint: "),
        ("", "the request body is not valid JSON for this endpoint: "),
        ("""[{"name":"db","hostname":"db.example.com","tunnel":"db-prod"}]""", "the request body is not valid JSON for this endpoint: "),
        ("\"db\"", "the request body is not valid JSON for this endpoint: "),
        ("42", "the request body is not valid JSON for this endpoint: "),
        ("""{"name":5,"hostname":5,"tunnel":5}""", "the request body is not valid JSON for this endpoint: "),
        ("""{"name":["db"],"hostname":["x"],"tunnel":["db-prod"]}""", "the request body is not valid JSON for this endpoint: "),
        ("""{"name":{"a":1},"hostname":true,"tunnel":{"a":1}}""", "the request body is not valid JSON for this endpoint: "),
        ("{\"name\":" + new string('[', 1000) + new string(']', 1000) + "}", "the request body is not valid JSON for this endpoint: "),
        ("null", "the request body must be a JSON object"),
    ];

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(BodyEndpoints))]
    public async Task MalformedBody_Is400SayingWhatIsWrong_AndChangesNothing(string path)
    {
        string before = await _edge.StateAsync();

        foreach (var (body, expected) in Malformed)
        {
            string error = await _edge.ErrorAsync(HttpStatusCode.BadRequest, HttpMethod.Post, path, body);
            Assert.StartsWith(expected, error, StringComparison.Ordinal);
        }

        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(BodyEndpoints))]
    public async Task InvalidUtf8_Is400_AndChangesNothing(string path)
    {
        string before = await _edge.StateAsync();
        byte[] invalid = [0xC3, 0x28, 0xFF];
        var content = new ByteArrayContent([.. "{\"name\":\""u8, .. invalid, .. "\",\"hostname\":\""u8, .. invalid, .. "\",\"tunnel\":\""u8, .. invalid, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Post, path, content);

        Assert.StartsWith("the request body is not valid JSON for this endpoint: ", AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, HttpStatusCode.BadRequest)), StringComparison.Ordinal);
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [MemberData(nameof(BodyEndpoints))]
    public async Task OversizedBodyWithContentLength_Is413_AndChangesNothing(string path)
    {
        string before = await _edge.StateAsync();
        var content = new ByteArrayContent(Padded(MaxBytes + 1));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await _edge.SendAsync(HttpMethod.Post, path, content);

        Assert.Equal($"request body over {MaxBytes} bytes", AdminEdge.ErrorMessage(await AdminEdge.BodyAsync(response, HttpStatusCode.RequestEntityTooLarge)));
        Assert.Equal(before, await _edge.StateAsync());
    }

    [Theory(Timeout = AdminEdge.TestTimeout)]
    [InlineData("tunnels", MaxBytes + 1)]
    [InlineData("routes", MaxBytes + 1)]
    [InlineData("service-tokens", MaxBytes + 1)]
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
