using Drawbridge.Edge.Access;
using Drawbridge.Edge.Identity;
using Drawbridge.Edge.Metrics;
using Drawbridge.Edge.Policies;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Testing;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Metrics;

/// <summary><see cref="EdgeMetrics"/> as Prometheus scrapes it from <c>edge run --metrics</c> (docs/METRICS.md).</summary>
public sealed class EdgeMetricsTests
{
    private const int TestTimeout = 30_000;

    private static readonly Policy Staff = new(Guid.NewGuid(), "db.example.com", "staff", PolicyAction.Allow, 1, [Selector.EmailDomain("example.com")], [], []);
    private static readonly Policy Contractors = new(Guid.NewGuid(), "db.example.com", "contractors", PolicyAction.Deny, 2, [Selector.Group("contractors")], [], []);
    private static readonly Policy Office = new(Guid.NewGuid(), "db.example.com", "office", PolicyAction.Bypass, 3, [Selector.Everyone], [], []);
    private static readonly Policy Ci = new(Guid.NewGuid(), "db.example.com", "ci", PolicyAction.ServiceAuth, 4, [Selector.ServiceToken("ci")], [], []);

    [Fact(Timeout = TestTimeout)]
    public async Task OneOfEach_ExportsExactlyTheDocumentedNamesAndTypes()
    {
        using var metrics = new EdgeMetrics(() => 4);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.StreamOpened();
        metrics.StreamAnswered(TimeSpan.FromMilliseconds(5), refusal: null);
        metrics.StreamEnded(ConnectionOutcome.Closed, 1, 2);
        metrics.Refused(new AccessRefusal(ConnectionOutcome.NoRoute, AccessRefusal.NoRoute, "no tunnel serves x"));
        metrics.SignIn(SignInLabels.Otp, SignInLabels.SignedIn);
        metrics.PolicyDecided("db.example.com", new PolicyDecision(true, Staff, "allowed"));
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(
            [
                ("drawbridge_edge_access_refusals_total", "counter"),
                ("drawbridge_edge_bytes_total", "counter"),
                ("drawbridge_edge_connector_links", "gauge"),
                ("drawbridge_edge_policy_decisions_total", "counter"),
                ("drawbridge_edge_sign_ins_total", "counter"),
                ("drawbridge_edge_stream_open_duration_seconds", "histogram"),
                ("drawbridge_edge_streams_open", "gauge"),
                ("drawbridge_edge_streams_total", "counter"),
                ("target_info", "gauge"),
            ],
            text.Families.Values.Select(f => (f.Name, f.Type)).Order());
        Assert.Equal(4, text.Value("drawbridge_edge_connector_links"));
        Assert.Equal(1, text.Sum("target_info", ("service_name", "drawbridge-edge")));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Streams_CountOpenEndedByOutcomeAndBytesEachWay()
    {
        using var metrics = new EdgeMetrics(() => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamEnded(ConnectionOutcome.Closed, bytesUp: 1000, bytesDown: 2000);
        metrics.StreamEnded(ConnectionOutcome.OriginRefused, bytesUp: 0, bytesDown: 0);
        PrometheusText text = await scraped.ScrapeAsync();

        Assert.Equal(1, text.Value("drawbridge_edge_streams_open"));
        Assert.Equal(1, text.Value("drawbridge_edge_streams_total", ("outcome", "closed")));
        Assert.Equal(1, text.Value("drawbridge_edge_streams_total", ("outcome", "origin_refused")));
        Assert.Equal(1000, text.Value("drawbridge_edge_bytes_total", ("direction", "up")));
        Assert.Equal(2000, text.Value("drawbridge_edge_bytes_total", ("direction", "down")));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task StreamOpenLatency_IsInSecondsByWhatTheConnectorAnswered()
    {
        using var metrics = new EdgeMetrics(() => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.StreamAnswered(TimeSpan.FromMilliseconds(4), refusal: null);
        metrics.StreamAnswered(TimeSpan.FromMilliseconds(30), ConnectionOutcome.OriginRefused);
        metrics.StreamAnswered(TimeSpan.FromMilliseconds(2), ConnectionOutcome.NoIngressRule);
        PrometheusText text = await scraped.ScrapeAsync();

        const string Name = "drawbridge_edge_stream_open_duration_seconds";
        Assert.Equal(1, text.Value(Name + "_count", ("outcome", "opened")));
        Assert.Equal(0.004, text.Value(Name + "_sum", ("outcome", "opened")), 9);
        Assert.Equal(1, text.Value(Name + "_bucket", ("outcome", "opened"), ("le", "0.005")));
        Assert.Equal(0, text.Value(Name + "_bucket", ("outcome", "origin_refused"), ("le", "0.025")));
        Assert.Equal(1, text.Value(Name + "_bucket", ("outcome", "origin_refused"), ("le", "0.05")));
        Assert.Equal(1, text.Value(Name + "_count", ("outcome", "no_ingress_rule")));
        Assert.Equal(3, text.Sum(Name + "_count"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Refusals_CarryTheOutcomeAndTheReasonButNotTheMessage()
    {
        using var metrics = new EdgeMetrics(() => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.Refused(new AccessRefusal(ConnectionOutcome.Unauthenticated, AccessRefusal.BadServiceToken, "the service token is unknown (secret 0123)"));
        metrics.Refused(new AccessRefusal(ConnectionOutcome.Unauthenticated, "bad_signature", "the app token was refused"));
        metrics.Refused(new AccessRefusal(ConnectionOutcome.Unauthenticated, "bad_signature", "the app token was refused"));
        metrics.Refused(new AccessRefusal(ConnectionOutcome.Denied, AccessRefusal.NoAllowingPolicy, "denied: alice@example.com"));
        string raw = await scraped.Http.GetStringAsync("/metrics");
        PrometheusText text = PrometheusText.Parse(raw);

        const string Name = "drawbridge_edge_access_refusals_total";
        Assert.Equal(1, text.Value(Name, ("outcome", "unauthenticated"), ("reason", "bad_service_token")));
        Assert.Equal(2, text.Value(Name, ("outcome", "unauthenticated"), ("reason", "bad_signature")));
        Assert.Equal(1, text.Value(Name, ("outcome", "denied"), ("reason", "no_allowing_policy")));
        Assert.DoesNotContain("0123", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", raw, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task SignIns_AreCountedByMethodOutcomeAndProvider()
    {
        using var metrics = new EdgeMetrics(() => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.SignIn(SignInLabels.Otp, SignInLabels.WrongCode);
        metrics.SignIn(SignInLabels.Otp, SignInLabels.SignedIn);
        metrics.SignIn(SignInLabels.Oidc, SignInLabels.SignedIn, "okta");
        metrics.SignIn(SignInLabels.Oidc, SignInLabels.IdTokenRefused, "okta");
        metrics.SignIn(SignInLabels.Oidc, SignInLabels.StateMismatch);
        metrics.SignIn(SignInLabels.Device, SignInLabels.AccessDenied);
        PrometheusText text = await scraped.ScrapeAsync();

        const string Name = "drawbridge_edge_sign_ins_total";
        Assert.Equal(1, text.Value(Name, ("method", "otp"), ("outcome", "wrong_code")));
        Assert.Equal(1, text.Value(Name, ("method", "otp"), ("outcome", "signed_in")));
        Assert.Equal(1, text.Value(Name, ("method", "oidc"), ("outcome", "signed_in"), ("provider", "okta")));
        Assert.Equal(1, text.Value(Name, ("method", "oidc"), ("outcome", "id_token_refused"), ("provider", "okta")));
        Assert.Equal(1, text.Value(Name, ("method", "oidc"), ("outcome", "state_mismatch")));
        Assert.Equal(1, text.Value(Name, ("method", "device"), ("outcome", "access_denied")));
        Assert.Equal(6, text.Sum(Name));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task PolicyDecisions_AreCountedByAppDecisionAndTheDecidingPolicysAction()
    {
        using var metrics = new EdgeMetrics(() => 0);
        await using ScrapedMeter scraped = await ScrapedMeter.StartAsync(metrics.Meter);

        metrics.PolicyDecided("db.example.com", new PolicyDecision(true, Staff, "allowed by staff"));
        metrics.PolicyDecided("db.example.com", new PolicyDecision(true, Staff, "allowed by staff"));
        metrics.PolicyDecided("db.example.com", new PolicyDecision(false, Contractors, "denied by contractors"));
        metrics.PolicyDecided("db.example.com", new PolicyDecision(true, Office, "allowed by bypass"));
        metrics.PolicyDecided("db.example.com", new PolicyDecision(true, Ci, "allowed by service-auth"));
        metrics.PolicyDecided("db.example.com", new PolicyDecision(false, null, "denied: nothing matched"));
        metrics.PolicyDecided(null, new PolicyDecision(true, null, "no application: any service token"));
        PrometheusText text = await scraped.ScrapeAsync();

        const string Name = "drawbridge_edge_policy_decisions_total";
        Assert.Equal(2, text.Value(Name, ("app", "db.example.com"), ("decision", "allow"), ("policy_action", "allow")));
        Assert.Equal(1, text.Value(Name, ("app", "db.example.com"), ("decision", "deny"), ("policy_action", "deny")));
        Assert.Equal(1, text.Value(Name, ("app", "db.example.com"), ("decision", "allow"), ("policy_action", "bypass")));
        Assert.Equal(1, text.Value(Name, ("app", "db.example.com"), ("decision", "allow"), ("policy_action", "service-auth")));
        Assert.Equal(1, text.Value(Name, ("app", "db.example.com"), ("decision", "deny"), ("policy_action", "none")));
        Assert.Equal(1, text.Value(Name, ("decision", "allow"), ("policy_action", "none")));
    }
}
