using Drawbridge.Edge.Policies;

namespace Drawbridge.Tests.Edge.Policies;

public sealed class PolicyEvaluatorTests
{
    private const string Alice = "user alice@example.com groups=eng login=okta ip=10.1.2.3";
    private const string Bob = "user bob@example.com groups=contractors login=otp ip=203.0.113.9";
    private const string Ci = "token ci id=0123456789abcdef0123456789abcdef.access ip=10.9.9.9";
    private const string Stranger = "anonymous ip=203.0.113.50";

    private static readonly string[] CloudflareExample =
    [
        "allow A 1 | include email-domain:example.com",
        "deny B 2 | include everyone",
        "service-auth C 3 | include service-token:ci",
        "bypass D 4 | include ip:10.0.0.0/8",
        "allow E 5 | include everyone",
    ];

    /// <summary>
    /// Why, the app's policies (lines as in <see cref="PolicyTables.Policy"/>), the subject, whether
    /// it is admitted, and the name of the deciding policy (null: nothing matched).
    /// </summary>
    public static TheoryData<string, string[], string, bool, string?> Cases => new()
    {
        // Deny by default.
        { "no policies", [], Alice, false, null },
        { "no policy matches", ["allow ops 1 | include group:ops"], Alice, false, null },

        // Include: any of.
        { "include matches the only selector", ["allow eng 1 | include group:eng"], Alice, true, "eng" },
        { "include matches one of several", ["allow staff 1 | include email:x@example.com group:eng"], Alice, true, "staff" },
        { "include matches none of several", ["allow staff 1 | include email:x@example.com group:ops"], Alice, false, null },

        // Require: all of.
        { "require all met", ["allow eng 1 | include everyone | require group:eng login-method:okta ip:10.0.0.0/8"], Alice, true, "eng" },
        { "require one unmet", ["allow eng 1 | include everyone | require group:eng login-method:otp"], Alice, false, null },
        { "require from the office only", ["allow eng 1 | include group:eng | require ip:10.0.0.0/8"], "user alice@example.com groups=eng ip=192.0.2.1", false, null },

        // Exclude: none of.
        { "exclude one person", ["allow staff 1 | include email-domain:example.com | exclude email:bob@example.com"], Bob, false, null },
        { "exclude spares others", ["allow staff 1 | include email-domain:example.com | exclude email:bob@example.com"], Alice, true, "staff" },
        { "exclude beats include and require", ["allow eng 1 | include group:eng | require login-method:okta | exclude ip:10.1.0.0/16"], Alice, false, null },
        { "any one exclude is enough", ["allow all 1 | include everyone | exclude group:ops login-method:okta"], Alice, false, null },

        // Allow and deny: the first match by precedence decides.
        { "deny above allow wins", ["allow staff 2 | include email-domain:example.com", "deny contractors 1 | include group:contractors"], Bob, false, "contractors" },
        { "allow above deny wins", ["allow staff 1 | include email-domain:example.com", "deny contractors 2 | include group:contractors"], Bob, true, "staff" },
        { "deny that does not match falls through", ["deny contractors 1 | include group:contractors", "allow staff 2 | include email-domain:example.com"], Alice, true, "staff" },
        { "list order is not precedence", ["allow late 9 | include everyone", "deny early 3 | include everyone", "allow first 1 | include group:ops"], Alice, false, "early" },
        { "lowest precedence of two allows", ["allow b 5 | include everyone", "allow a 2 | include group:eng"], Alice, true, "a" },
        { "deny goes first at equal precedence", ["allow staff 1 | include everyone", "deny contractors 1 | include group:contractors"], Bob, false, "contractors" },

        // Bypass and service-auth run first, whatever their precedence.
        { "bypass beats an earlier deny", ["deny everyone 1 | include everyone", "bypass office 9 | include ip:10.0.0.0/8"], Alice, true, "office" },
        { "bypass admits the anonymous", ["bypass public 1 | include everyone", "allow eng 1 | include group:eng"], Stranger, true, "public" },
        { "bypass admits tokens", ["bypass office 1 | include ip:10.0.0.0/8"], Ci, true, "office" },
        { "bypass out of range falls through", ["bypass office 1 | include ip:10.0.0.0/8", "allow contractors 2 | include group:contractors"], Bob, true, "contractors" },
        { "bypass exclude", ["bypass public 1 | include everyone | exclude ip:203.0.113.0/24"], Stranger, false, null },
        { "service-auth beats an earlier deny", ["deny everyone 1 | include everyone", "service-auth ci 5 | include service-token:ci"], Ci, true, "ci" },
        { "service-auth with require ip met", ["service-auth ci 1 | include service-token:ci | require ip:10.0.0.0/8"], Ci, true, "ci" },
        { "service-auth with require ip unmet", ["service-auth ci 1 | include service-token:ci | require ip:192.168.0.0/16"], Ci, false, null },
        { "service-auth exclude", ["service-auth ci 1 | include service-token:ci | exclude ip:10.9.0.0/16"], Ci, false, null },
        { "phase one keeps precedence", ["service-auth ci 2 | include service-token:ci", "bypass office 1 | include ip:10.0.0.0/8"], Ci, true, "office" },

        // Cloudflare's own example: Allow A, Block B, Service Auth C, Bypass D, Allow E run as C > D > A > B > E.
        { "the documented order, token", CloudflareExample, Ci, true, "C" },
        { "the documented order, user in range", CloudflareExample, Alice, true, "D" },
        { "the documented order, user outside", CloudflareExample, Bob, true, "A" },
        { "the documented order, nothing above E", ["deny B 2 | include group:contractors", "allow E 5 | include everyone"], Bob, false, "B" },

        // Users and machines are kept apart.
        { "allow everyone does not admit a token", ["allow all 1 | include everyone"], Ci, false, null },
        { "deny everyone is not the reason a token is refused", ["deny all 1 | include everyone"], Ci, false, null },
        { "allow everyone does not admit the anonymous", ["allow all 1 | include everyone"], Stranger, false, null },
        { "service-auth never admits a user", ["service-auth ci 1 | include service-token:ci"], "user ci@example.com groups=ci", false, null },
        { "user falls through service-auth to allow", ["service-auth ci 1 | include service-token:ci", "allow eng 2 | include group:eng"], Alice, true, "eng" },
        { "token passes service-auth before allow", ["allow all 1 | include everyone", "service-auth ci 2 | include service-token:ci"], Ci, true, "ci" },
        { "other token refused", ["service-auth ci 1 | include service-token:ci"], "token deploy ip=10.9.9.9", false, null },
        { "token by client id", ["service-auth ci 1 | include service-token:0123456789ABCDEF0123456789ABCDEF.access"], Ci, true, "ci" },

        // Addresses and case.
        { "mapped client in an IPv4 range", ["allow office 1 | include ip:10.0.0.0/8"], "user alice@example.com ip=::ffff:10.1.2.3", true, "office" },
        { "IPv6 client", ["allow v6 1 | include ip:2001:db8::/32"], "user alice@example.com ip=2001:db8::42", true, "v6" },
        { "IPv6 client outside", ["allow v6 1 | include ip:2001:db8::/32", "allow v4 2 | include ip:0.0.0.0/0"], "user alice@example.com ip=2001:db9::1", false, null },
        { "e-mail in any case", ["allow alice 1 | include email:Alice@Example.com"], "user ALICE@EXAMPLE.COM", true, "alice" },
        { "group case matters", ["allow eng 1 | include group:ENG"], Alice, false, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_FollowsTheOrderAndTheRules(string why, string[] policies, string subject, bool allowed, string? decidedBy)
    {
        var decision = PolicyEvaluator.Evaluate(PolicyTables.Policies(policies), PolicyTables.Subject(subject));

        Assert.True(allowed == decision.Allowed, $"{why}: expected {(allowed ? "allowed" : "denied")}, got \"{decision.Reason}\"");
        Assert.Equal(decidedBy, decision.DecidedBy?.Name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_DoesNotDependOnListOrder(string why, string[] policies, string subject, bool allowed, string? decidedBy)
    {
        var parsed = PolicyTables.Policies(policies);

        var forwards = PolicyEvaluator.Evaluate(parsed, PolicyTables.Subject(subject));
        var backwards = PolicyEvaluator.Evaluate(parsed.Reverse().ToArray(), PolicyTables.Subject(subject));

        Assert.Equal(forwards, backwards);
        Assert.True(allowed == backwards.Allowed, why);
        Assert.Equal(decidedBy, backwards.DecidedBy?.Name);
    }

    [Theory]
    [InlineData("allow engineers 1 | include group:eng", Alice, "allowed by policy 'engineers' (precedence 1)")]
    [InlineData("deny contractors 2 | include group:contractors", Bob, "denied by policy 'contractors' (precedence 2)")]
    [InlineData("bypass office 3 | include ip:10.0.0.0/8", Alice, "allowed by bypass policy 'office' (precedence 3)")]
    [InlineData("service-auth ci 4 | include service-token:ci", Ci, "allowed by service-auth policy 'ci' (precedence 4)")]
    [InlineData("allow ops 1 | include group:ops", Alice, "denied: no policy of app db.example.com admits alice@example.com")]
    [InlineData("allow all 1 | include everyone", Ci, "denied: no service-auth policy of app db.example.com admits service token 'ci'")]
    [InlineData("allow all 1 | include everyone", Stranger, "denied: no bypass policy of app db.example.com admits an anonymous client at 203.0.113.50: sign in or present a service token")]
    public void Evaluate_SaysWhyInASentence(string policy, string subject, string reason)
    {
        var decision = PolicyEvaluator.Evaluate([PolicyTables.Policy(policy)], PolicyTables.Subject(subject));

        Assert.Equal(reason, decision.Reason);
    }

    [Fact]
    public void Evaluate_WithNoPolicies_DeniesEveryKindOfSubject()
    {
        foreach (var subject in new[] { Alice, Ci, Stranger })
        {
            var decision = PolicyEvaluator.Evaluate([], PolicyTables.Subject(subject));

            Assert.False(decision.Allowed);
            Assert.Null(decision.DecidedBy);
        }

        Assert.Equal(
            "denied: the app has no policies, so nobody is admitted (alice@example.com included)",
            PolicyEvaluator.Evaluate([], PolicyTables.Subject(Alice)).Reason);
    }

    [Fact]
    public void Evaluate_ReturnsTheDecidingPolicyItself()
    {
        var policies = PolicyTables.Policies(["deny contractors 1 | include group:contractors", "allow staff 2 | include everyone"]);

        var decision = PolicyEvaluator.Evaluate(policies, PolicyTables.Subject(Alice));

        Assert.Same(policies[1], decision.DecidedBy);
    }

    [Fact]
    public void Evaluate_RefusesPoliciesOfTwoApps()
    {
        var mine = PolicyTables.Policy("allow eng 1 | include group:eng");
        var theirs = new Policy(Guid.NewGuid(), "other.example.com", "all", PolicyAction.Allow, 2, [Selector.Everyone], [], []);

        Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate([mine, theirs], PolicyTables.Subject(Alice)));
    }
}
