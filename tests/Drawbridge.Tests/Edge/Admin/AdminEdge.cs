using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drawbridge.Tests.Edge.Admin;

/// <summary>
/// A real edge (edge init into a temp directory, then Kestrel with TLS from the edge's own CA on
/// 127.0.0.1:0) and an HTTPS client that trusts exactly that CA and carries the bootstrap admin token.
/// </summary>
internal sealed class AdminEdge : IAsyncDisposable
{
    /// <summary>A whole admin test: an edge start, a few dozen HTTPS requests, a stop.</summary>
    public const int TestTimeout = 60_000;

    /// <summary>One request, or starting and stopping the edge.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _data;
    private readonly CaTrust _trust;

    private AdminEdge(TempDirectory data, EdgeHost host, AdminCredential admin)
    {
        _data = data;
        Host = host;
        Admin = admin;
        _trust = CaTrust.FromPem(host.Runtime.CaCertificatePem!);
        Client = NewClient($"Bearer {admin.ApiToken}");
    }

    public EdgeHost Host { get; }

    /// <summary>What <c>edge init</c> returned: the edge URL, the bootstrap admin token and the CA.</summary>
    public AdminCredential Admin { get; }

    /// <summary>Authenticated with the bootstrap admin token.</summary>
    public HttpClient Client { get; }

    public static async Task<AdminEdge> StartAsync(IReadOnlyList<string>? administrators = null)
    {
        var data = TempDirectory.Create();
        using var startup = new CancellationTokenSource(StepTimeout);
        AdminCredential admin = await EdgeInitializer.InitializeAsync(
            new EdgeInitOptions { DataDirectory = data.Path, Hostname = "localhost", PublicPort = 0, Administrators = administrators ?? [] },
            TimeProvider.System, NullLogger.Instance, startup.Token);
        EdgeHost host = await EdgeHost.StartAsync(
            new EdgeRunOptions { DataDirectory = data.Path, Listen = "127.0.0.1:0", GracePeriod = TimeSpan.FromSeconds(1) },
            _ => { }, TimeProvider.System, startup.Token);
        return new AdminEdge(data, host, admin);
    }

    /// <summary>A client for https://localhost:PORT that dials 127.0.0.1 and sends <paramref name="authorization"/> verbatim (null: none).</summary>
    public HttpClient NewClient(string? authorization)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, Host.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = _trust.ValidationCallback;
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{Host.Port}/api/v1/"), Timeout = StepTimeout };
        if (authorization is not null)
        {
            Assert.True(client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization));
        }

        return client;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, HttpClient? client = null) =>
        SendAsync(method, path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"), client);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        return await (client ?? Client).SendAsync(request).WaitAsync(StepTimeout);
    }

    /// <summary>Sends, expects <paramref name="status"/>, and returns the JSON body (undefined for an empty one).</summary>
    public async Task<JsonElement> ExpectAsync(HttpStatusCode status, HttpMethod method, string path, string? json = null, HttpClient? client = null)
    {
        using HttpResponseMessage response = await SendAsync(method, path, json, client);
        return await BodyAsync(response, status);
    }

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        if (text.Length == 0)
        {
            return default;
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Expects an error status with a JSON body <c>{"error": "..."}</c> and returns the message.</summary>
    public async Task<string> ErrorAsync(HttpStatusCode status, HttpMethod method, string path, string? json = null, HttpClient? client = null)
    {
        using HttpResponseMessage response = await SendAsync(method, path, json, client);
        return ErrorMessage(await BodyAsync(response, status));
    }

    public static string ErrorMessage(JsonElement body)
    {
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        JsonProperty error = Assert.Single(body.EnumerateObject());
        Assert.Equal("error", error.Name);
        return error.Value.GetString()!;
    }

    /// <summary>
    /// Everything the admin API can show, plus the store's change counter: equal before and after
    /// a refused request means the request changed nothing.
    /// </summary>
    public async Task<string> StateAsync()
    {
        var state = new StringBuilder();
        foreach (string list in new[] { "tunnels", "routes", "service-tokens", "apps", "sessions" })
        {
            using HttpResponseMessage response = await SendAsync(HttpMethod.Get, list);
            state.Append(list).Append(": ").Append(await response.Content.ReadAsStringAsync()).Append('\n');
        }

        long counter = await Host.State.Store.GetChangeCounterAsync(CancellationToken.None).WaitAsync(StepTimeout);
        return state.Append("change counter: ").Append(counter).ToString();
    }

    /// <summary>Creates a tunnel through the API and returns its credential.</summary>
    public async Task<TunnelCredential> CreateTunnelAsync(string name)
    {
        JsonElement created = await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "tunnels", Json(new { name }));
        return TunnelCredential.Parse(created.GetProperty("credential").GetString()!);
    }

    /// <summary>A tunnel "db-prod" routed at db.example.com, and a service token "ci": something for every endpoint to find.</summary>
    public async Task SeedAsync()
    {
        await CreateTunnelAsync("db-prod");
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "routes", """{"hostname":"db.example.com","tunnel":"db-prod"}""");
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "service-tokens", """{"name":"ci"}""");
    }

    /// <summary>A signed-in user's session (one-time PIN from 127.0.0.1, two hours), straight into the store.</summary>
    public Task<UserSession> CreateSessionAsync(string email, IReadOnlyList<string> groups) =>
        Host.State.Store.CreateSessionAsync(SecretHash.Hash(SecretHash.NewSecret()), email, null, groups, "otp", "127.0.0.1",
            DateTimeOffset.UtcNow.AddHours(2), CancellationToken.None).WaitAsync(StepTimeout);

    public static string Json<T>(T value) => JsonSerializer.Serialize(value);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync().AsTask().WaitAsync(StepTimeout);
        _trust.Dispose();
        _data.Dispose();
    }
}
