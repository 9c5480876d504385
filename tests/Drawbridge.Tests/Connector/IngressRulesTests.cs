using Drawbridge.Connector.Ingress;

namespace Drawbridge.Tests.Connector;

public sealed class IngressRulesTests
{
    private static readonly IngressService Db = new("db.internal", 5432);
    private static readonly IngressService Ssh = new("bastion.internal", 22);

    [Theory]
    [InlineData("db.example.com", true)]
    [InlineData("DB.Example.COM", true)]
    [InlineData("example.com", false)]
    [InlineData("xdb.example.com", false)]
    [InlineData("a.db.example.com", false)]
    [InlineData("db.example.com.evil.test", false)]
    [InlineData("db.example.co", false)]
    [InlineData("", false)]
    public void ExactHostname_MatchesOnlyThatName_InAnyCase(string requested, bool matches) =>
        Assert.Equal(matches, new IngressRule("db.example.com", Db).Matches(requested));

    [Fact]
    public void ExactHostname_WrittenInUpperCase_StillMatchesLowerCaseRequests() =>
        Assert.True(new IngressRule("DB.Example.com", Db).Matches("db.example.com"));

    /// <summary>
    /// Like cloudflared's matchHost (ingress/ingress.go: the rule minus its '*' must be a suffix of
    /// the request), a leading "*." matches any depth of subdomain but never the apex itself.
    /// </summary>
    [Theory]
    [InlineData("a.example.com", true)]
    [InlineData("A.EXAMPLE.COM", true)]
    [InlineData("a.b.example.com", true)]
    [InlineData("example.com", false)]
    [InlineData(".example.com", false)]
    [InlineData("badexample.com", false)]
    [InlineData("a.example.com.evil.test", false)]
    [InlineData("a.example.org", false)]
    [InlineData("", false)]
    public void Wildcard_MatchesSubdomainsButNotTheApexNorLookAlikes(string requested, bool matches) =>
        Assert.Equal(matches, new IngressRule("*.example.com", Ssh).Matches(requested));

    [Theory]
    [InlineData("db.example.com")]
    [InlineData("anything-at-all")]
    [InlineData("")]
    public void CatchAll_MatchesEverything(string requested) =>
        Assert.True(new IngressRule(null, IngressService.Reject).Matches(requested));

    [Fact]
    public void Match_FirstMatchingRuleWins_WithItsOneBasedPosition()
    {
        var rules = new IngressRules(
        [
            new IngressRule("*.example.com", Ssh),
            new IngressRule("db.example.com", Db),
            new IngressRule(null, IngressService.Reject),
        ]);

        Assert.Equal((rules.Rules[0], 1), rules.Match("db.example.com"));
        Assert.Equal((rules.Rules[0], 1), rules.Match("ssh.example.com"));
    }

    [Fact]
    public void Match_FallsThroughToTheCatchAll()
    {
        var rules = new IngressRules(
        [
            new IngressRule("db.example.com", Db),
            new IngressRule("*.ssh.example.com", Ssh),
            new IngressRule(null, IngressService.Reject),
        ]);

        Assert.Equal((rules.Rules[1], 2), rules.Match("eu.ssh.example.com"));
        Assert.Equal((rules.Rules[2], 3), rules.Match("ssh.example.com"));
        Assert.Equal((rules.Rules[2], 3), rules.Match("other.test"));
        Assert.True(rules.Match("other.test").Rule.Service.IsReject);
    }

    [Fact]
    public void Constructor_WithoutACatchAllLast_SaysTheLastRuleMustBeOne()
    {
        var ex = Assert.Throws<FormatException>(() => new IngressRules([new IngressRule("db.example.com", Db)]));

        Assert.Contains("the last ingress rule must be a catch-all", ex.Message, StringComparison.Ordinal);
        Assert.Contains("- service: reject", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WithNoRules_SaysTheLastRuleMustBeACatchAll()
    {
        var ex = Assert.Throws<FormatException>(() => new IngressRules([]));

        Assert.Contains("the last ingress rule must be a catch-all", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WithACatchAllInTheMiddle_NamesItAndSaysTheRulesAfterItCannotMatch()
    {
        var ex = Assert.Throws<FormatException>(() => new IngressRules(
        [
            new IngressRule("db.example.com", Db),
            new IngressRule(null, Ssh),
            new IngressRule("other.example.com", Db),
            new IngressRule(null, IngressService.Reject),
        ]));

        Assert.Contains("ingress rule 2 has no hostname", ex.Message, StringComparison.Ordinal);
        Assert.Contains("only the last rule may be a catch-all", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_SendsEveryHostnameToOneService()
    {
        IngressRules rules = IngressRules.Single(Db);

        IngressRule rule = Assert.Single(rules.Rules);
        Assert.Null(rule.Hostname);
        Assert.Equal((rule, 1), rules.Match("db.example.com"));
        Assert.Equal((rule, 1), rules.Match("anything.test"));
    }

    [Fact]
    public void ToString_NamesTheHostnameOrCatchAllAndTheService()
    {
        Assert.Equal("db.example.com → tcp://db.internal:5432", new IngressRule("db.example.com", Db).ToString());
        Assert.Equal("(catch-all) → reject", new IngressRule(null, IngressService.Reject).ToString());
    }
}
