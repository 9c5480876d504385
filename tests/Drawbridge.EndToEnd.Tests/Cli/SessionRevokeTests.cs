using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.EndToEnd.Tests.Cli;

/// <summary>
/// <c>POST /api/v1/sessions/revoke</c> and <c>drawbridge session revoke</c> close the revoked
/// sessions' open connections on this edge before answering, and the answer counts exactly those:
/// a signed-in user's tunnelled connection, not another user's, and none the second time.
/// </summary>
public sealed class SessionRevokeTests
{
    private const string App = "app.test";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 180_000)]
    public async Task RevokeById_ClosesThatSessionsOpenConnection_AndCountsIt()
    {
        await using var echo = EchoServer.Start();
        await using DrawbridgeStack stack = await StartAppAsync(echo);
        using var browser = new EdgeBrowser(stack);
        await using OpenTunnel alice = await OpenAsync(stack, browser, "alice@example.com");
        await using OpenTunnel bob = await OpenAsync(stack, browser, "bob@example.com");
        Guid aliceSession = await SessionOfAsync(stack, browser, "alice@example.com");

        JsonElement first = await RevokeAsync(stack, browser, $$"""{"id":"{{aliceSession}}","reason":"laptop stolen"}""");

        Assert.Equal(1, first.GetProperty("revoked").GetInt32());
        Assert.Equal(1, first.GetProperty("connectionsClosed").GetInt32());
        AccessResult ended = await alice.Running.WaitAsync(Limit);
        Assert.Equal(ConnectionOutcome.AccessRevoked, ended.Outcome);
        Assert.Contains("your session was revoked", ended.Message, StringComparison.Ordinal);

        // Bob's connection is untouched: it still carries bytes.
        await bob.Application.WriteAsync("still here"u8.ToArray());
        byte[] echoed = new byte[10];
        await bob.Application.ReadExactlyAsync(echoed).AsTask().WaitAsync(Limit);
        Assert.Equal("still here"u8.ToArray(), echoed);
        Assert.False(bob.Running.IsCompleted);

        JsonElement again = await RevokeAsync(stack, browser, $$"""{"id":"{{aliceSession}}"}""");
        Assert.Equal(0, again.GetProperty("revoked").GetInt32());
        Assert.Equal(0, again.GetProperty("connectionsClosed").GetInt32());
    }

    [Fact(Timeout = 180_000)]
    public async Task SessionRevokeCommand_ByUser_PrintsTheConnectionsItClosed()
    {
        await using var echo = EchoServer.Start();
        await using DrawbridgeStack stack = await StartAppAsync(echo);
        await using var cli = new DrawbridgeCli();
        using var browser = new EdgeBrowser(stack);
        await using OpenTunnel alice = await OpenAsync(stack, browser, "alice@example.com");
        string credential = Path.Combine(cli.Scratch("admin"), "admin.json");
        CredentialFile.WriteOwnerOnly(credential, new AdminCredential(stack.Edge.Runtime.Settings.PublicUrl, stack.Admin.ApiToken, stack.CaPem).ToJson());
        string[] revoke = ["session", "revoke", "--user", "alice@example.com", "--reason", "off-boarded", "--admin-credential", credential];

        string first = await cli.RunSucceedingAsync(revoke);

        Assert.Equal("Revoked 1 session(s); closed 1 open connection(s)", first.Trim());
        AccessResult ended = await alice.Running.WaitAsync(Limit);
        Assert.Equal(ConnectionOutcome.AccessRevoked, ended.Outcome);
        Assert.Equal(0, stack.Edge.Connections.Count);
        Assert.Equal("Revoked 0 session(s); closed 0 open connection(s)", (await cli.RunSucceedingAsync(revoke)).Trim());
    }

    /// <summary>An edge named localhost (so a CLI process can reach its admin API by name) with one app that admits example.com.</summary>
    private static async Task<DrawbridgeStack> StartAppAsync(EchoServer echo)
    {
        DrawbridgeStack stack = await DrawbridgeStack.StartAsync(configure: settings => settings with { Hostname = "localhost" });
        var tunnel = await stack.CreateTunnelAsync("web", App);
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        await stack.Edge.State.Store.CreateAppAsync(App, TimeSpan.FromHours(8), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync(App, "example staff", "allow", 1, ["email-domain:example.com"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        return stack;
    }

    /// <summary>Signs <paramref name="email"/> in (device flow, PIN) and opens one tunnelled connection with the app token, proven by an echo.</summary>
    private static async Task<OpenTunnel> OpenAsync(DrawbridgeStack stack, EdgeBrowser browser, string email)
    {
        JsonElement answer = await DeviceSignIn.ApproveAsync(stack, browser, email, App);
        Assert.True(answer.TryGetProperty("access_token", out JsonElement token), answer.ToString());
        var dialer = new AccessDialer(new AccessOptions { Hostname = App, EdgeAddress = stack.EdgeAddress, CaCertificatePem = stack.CaPem, AppToken = token.GetString() });
        var (application, local) = await LoopbackPair.CreateAsync();
        Task<AccessResult> running = AccessConnection.RunAsync(dialer, local, CancellationToken.None);
        await application.WriteAsync("x"u8.ToArray());
        await application.ReadExactlyAsync(new byte[1]).AsTask().WaitAsync(Limit);
        return new OpenTunnel(application, running, dialer);
    }

    private static async Task<Guid> SessionOfAsync(DrawbridgeStack stack, EdgeBrowser browser, string email)
    {
        using HttpResponseMessage response = await SendAsync(stack, browser, HttpMethod.Get, "/api/v1/sessions", null);
        using JsonDocument sessions = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement session = Assert.Single(sessions.RootElement.EnumerateArray(), s => s.GetProperty("email").GetString() == email);
        Assert.Equal(1, session.GetProperty("openConnections").GetInt32());
        return session.GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> RevokeAsync(DrawbridgeStack stack, EdgeBrowser browser, string body)
    {
        using HttpResponseMessage response = await SendAsync(stack, browser, HttpMethod.Post, "/api/v1/sessions/revoke", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> SendAsync(DrawbridgeStack stack, EdgeBrowser browser, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", stack.Admin.ApiToken);
        return await browser.Http.SendAsync(request);
    }

    /// <summary>The application's end of a tunnelled connection, and the connection's run (ends with its outcome).</summary>
    private sealed record OpenTunnel(Stream Application, Task<AccessResult> Running, AccessDialer Dialer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Application.DisposeAsync();
            Dialer.Dispose();
        }
    }
}
