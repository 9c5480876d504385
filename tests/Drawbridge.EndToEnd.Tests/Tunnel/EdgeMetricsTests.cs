using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drawbridge.Client;
using Drawbridge.Client.Forwarding;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Drawbridge.EndToEnd.Tests.Harness;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Transport;
using Drawbridge.Testing;

namespace Drawbridge.EndToEnd.Tests.Tunnel;

/// <summary>
/// What people do at the edge shows on its <c>--metrics</c> listener: PIN sign-ins (and a wrong
/// code), device-code sign-ins the policy admits or denies, the connection an app token opens,
/// and a token that is not one — counted by method, outcome, reason and application, and never
/// by who.
/// </summary>
public sealed partial class EdgeMetricsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 180_000)]
    public async Task SignInsPolicyDecisionsAndRefusals_AreCountedWithoutNamingAnyone()
    {
        await using var echo = EchoServer.Start();
        await using var stack = await DrawbridgeStack.StartAsync(metrics: true);
        var tunnel = await stack.CreateTunnelAsync("web", "app.test");
        await stack.StartConnectorAsync(tunnel, DrawbridgeStack.To(echo.EndPoint));
        await stack.Edge.State.Store.CreateAppAsync("app.test", TimeSpan.FromHours(8), CancellationToken.None);
        await stack.Edge.State.Store.AddPolicyAsync("app.test", "example staff", "allow", 1, ["email-domain:example.com"], [], [], CancellationToken.None);
        await stack.Edge.State.RefreshAsync(CancellationToken.None);
        using var metricsHttp = new HttpClient { BaseAddress = new Uri($"http://{stack.Edge.MetricsAddress}"), Timeout = Limit };

        // 1. A wrong PIN, then two people sign in by PIN and redeem a device code: one admitted, one not.
        using (var browser = new EdgeBrowser(stack))
        {
            await WrongPinAsync(stack, browser, "bob@example.com");
        }

        string token;
        using (var browser = new EdgeBrowser(stack))
        {
            JsonElement alice = await DeviceSignIn.ApproveAsync(stack, browser, "alice@example.com", "app.test");
            token = alice.GetProperty("access_token").GetString()!;
        }

        using (var browser = new EdgeBrowser(stack))
        {
            JsonElement mallory = await DeviceSignIn.ApproveAsync(stack, browser, "mallory@example.org", "app.test");
            Assert.Equal("access_denied", mallory.GetProperty("error").GetString());
        }

        // 2. Alice's token carries a connection; a string that is no token is refused.
        using (var dialer = new AccessDialer(new AccessOptions { Hostname = "app.test", EdgeAddress = stack.EdgeAddress, CaCertificatePem = stack.CaPem, AppToken = token }))
        {
            var (application, local) = await LoopbackPair.CreateAsync();
            Task<AccessResult> running = AccessConnection.RunAsync(dialer, local, CancellationToken.None);
            await application.WriteAsync(new byte[700]);
            application.Socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(700, (await application.ReadToEndAsync(10_000, CancellationToken.None).WaitAsync(Limit)).Length);
            Assert.Equal(ConnectionOutcome.Closed, (await running.WaitAsync(Limit)).Outcome);
            await application.DisposeAsync();
        }

        using (var forged = new AccessDialer(new AccessOptions { Hostname = "app.test", EdgeAddress = stack.EdgeAddress, CaCertificatePem = stack.CaPem, AppToken = "not-a-token" }))
        {
            var refusal = await Assert.ThrowsAsync<EdgeDialException>(() => forged.DialAsync(CancellationToken.None));
            Assert.Equal(ConnectionOutcome.Unauthenticated, refusal.Outcome);
        }

        await stack.Logs.WaitForAsync(l => l.Contains("to app.test by email:alice@example.com", StringComparison.Ordinal) && l.Contains(": closed after", StringComparison.Ordinal), Limit);

        // 3. One scrape says all of it.
        string raw = await metricsHttp.GetStringAsync("/metrics");
        PrometheusText text = PrometheusText.Parse(raw);

        const string SignIns = "drawbridge_edge_sign_ins_total";
        Assert.Equal(1, text.Value(SignIns, ("method", "otp"), ("outcome", "wrong_code")));
        Assert.Equal(2, text.Value(SignIns, ("method", "otp"), ("outcome", "signed_in")));
        Assert.Equal(1, text.Value(SignIns, ("method", "device"), ("outcome", "signed_in")));
        Assert.Equal(1, text.Value(SignIns, ("method", "device"), ("outcome", "access_denied")));
        Assert.Equal(5, text.Sum(SignIns));

        const string Decisions = "drawbridge_edge_policy_decisions_total";
        Assert.Equal(2, text.Value(Decisions, ("app", "app.test"), ("decision", "allow"), ("policy_action", "allow"))); // alice's token, then her connection
        Assert.Equal(1, text.Value(Decisions, ("app", "app.test"), ("decision", "deny"), ("policy_action", "none"))); // mallory: nothing admits her
        Assert.Equal(3, text.Sum(Decisions));

        Assert.Equal(1, text.Value("drawbridge_edge_access_refusals_total", ("outcome", "unauthenticated"), ("reason", "malformed")));
        Assert.Equal(1, text.Value("drawbridge_edge_streams_total", ("outcome", "closed")));
        Assert.Equal(700, text.Value("drawbridge_edge_bytes_total", ("direction", "up")));
        Assert.Equal(700, text.Value("drawbridge_edge_bytes_total", ("direction", "down")));
        Assert.Equal(1, text.Value("drawbridge_edge_stream_open_duration_seconds_count", ("outcome", "opened")));
        Assert.Equal(2, text.Value("drawbridge_edge_connector_links"));

        // Labels name methods, outcomes and applications, never people, addresses or credentials.
        Assert.DoesNotContain("example.", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..20], raw, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Ready_IsServedOnTheMetricsListener_AndTheMetricsAreNotOnThePublicPort()
    {
        await using var stack = await DrawbridgeStack.StartAsync(metrics: true);
        using var metricsHttp = new HttpClient { BaseAddress = new Uri($"http://{stack.Edge.MetricsAddress}"), Timeout = Limit };
        using var browser = new EdgeBrowser(stack);

        using HttpResponseMessage ready = await metricsHttp.GetAsync("/ready");
        using HttpResponseMessage publicMetrics = await browser.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
        Assert.DoesNotContain("drawbridge_edge", await publicMetrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Matches(@"^127\.0\.0\.1:\d+$", stack.Edge.MetricsAddress);
    }

    /// <summary>Asks for a PIN, then types one digit off the real one.</summary>
    private static async Task WrongPinAsync(DrawbridgeStack stack, EdgeBrowser browser, string email)
    {
        using (HttpResponseMessage sent = await browser.PostFormAsync("/_drawbridge/login/pin", ("email", email), ("return", "/")))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        string line = await stack.Logs.WaitForAsync(l => l.Contains($"sign-in code for {email} is", StringComparison.Ordinal), Limit);
        string pin = PinPattern().Match(line).Groups[1].Value;
        string wrong = (pin[0] == '9' ? '0' : (char)(pin[0] + 1)) + pin[1..];
        using HttpResponseMessage refused = await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", email), ("code", wrong), ("return", "/"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [GeneratedRegex("is ([0-9]{6})")]
    private static partial Regex PinPattern();
}
