using Drawbridge.Edge.Policies;

namespace Drawbridge.Tests.Edge.Policies;

public sealed class PolicyValidationTests
{
    /// <summary>Policies each action accepts (lines as in <see cref="PolicyTables.Policy"/>).</summary>
    public static TheoryData<string> ValidPolicies => new()
    {
        "allow engineers 1 | include group:eng",
        "allow staff 1 | include email-domain:example.com email:carol@partner.test | require login-method:okta ip:10.0.0.0/8 | exclude email:bob@example.com",
        "allow all 1 | include everyone",
        "deny contractors 2 | include group:contractors | exclude email:lead@example.com",
        "deny outside 1 | include everyone | exclude ip:10.0.0.0/8 ip:2001:db8::/32",
        "bypass office 1 | include ip:10.0.0.0/8",
        "bypass public 1 | include everyone | exclude ip:203.0.113.0/24",
        "service-auth ci 1 | include service-token:ci",
        "allow last 10000 | include everyone",
        "service-auth ci-from-runners 1 | include service-token:ci service-token:deploy | require ip:10.0.0.0/8 | exclude service-token:old",
    };

    /// <summary>Policies that could never do what their action says, and a phrase of the message.</summary>
    public static TheoryData<string, string> InvalidPolicies => new()
    {
        { "allow nobody 1", "include: is empty: every policy needs at least one include, such as --include everyone" },
        { "allow nobody 1 | require group:eng", "include: is empty" },
        { "service-auth nobody 1 | require ip:10.0.0.0/8", "include: is empty: every policy needs at least one include, such as --include service-token:ci" },
        { "allow ci 1 | include service-token:ci", "include: allow policies apply to signed-in users and never see service tokens: put service-token:ci in a service-auth policy" },
        { "allow eng 1 | include group:eng | exclude service-token:ci", "exclude: allow policies apply to signed-in users" },
        { "deny ci 1 | include service-token:ci", "include: deny policies apply to signed-in users" },
        { "bypass eng 1 | include group:eng", "include: bypass admits without sign-in, so it can only test everyone and ip: ranges; group:eng needs" },
        { "bypass alice 1 | include ip:10.0.0.0/8 | require email:alice@example.com", "require: bypass admits without sign-in" },
        { "bypass office 1 | include ip:10.0.0.0/8 | exclude login-method:otp", "exclude: bypass admits without sign-in" },
        { "bypass ci 1 | include service-token:ci", "include: bypass admits without sign-in" },
        { "service-auth any 1 | include everyone", "include: a service-auth policy includes the service tokens it admits" },
        { "service-auth office 1 | include ip:10.0.0.0/8", "include: a service-auth policy includes the service tokens it admits" },
        { "service-auth ci 1 | include service-token:ci | require group:eng", "require: a service-auth policy admits service tokens, which have no group" },
        { "service-auth ci 1 | include service-token:ci | exclude email:a@example.com", "exclude: a service-auth policy admits service tokens, which have no email" },
        { "allow eng 1 | include group:eng | exclude everyone", "exclude: everyone excludes every subject" },
        { "allow eng 0 | include group:eng", "precedence: is 0: use 1 to 10000" },
        { "allow eng 10001 | include group:eng", "precedence: is 10001: use 1 to 10000" },
        { "allow eng -5 | include group:eng", "precedence: is -5" },
    };

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public void Constructor_AcceptsPoliciesThatFitTheirAction(string line)
    {
        var policy = PolicyTables.Policy(line);

        Assert.Equal(PolicyTables.App, policy.AppHostname);
        Assert.NotEmpty(policy.Include);
    }

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void Constructor_RefusesPoliciesThatCouldNeverWork_NamingTheField(string line, string expected)
    {
        var ex = Assert.Throws<PolicyFormatException>(() => PolicyTables.Policy(line));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "name: is empty")]
    [InlineData("   ", "name: is empty")]
    [InlineData(" eng", "name: starts or ends with spaces")]
    [InlineData("eng\nrm -rf", "name: contains control or invisible characters")]
    [InlineData("eng\u202E", "name: contains control or invisible characters")]
    public void Constructor_RefusesBadNames(string name, string expected)
    {
        var ex = Assert.Throws<PolicyFormatException>(() => Make(name: name));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RefusesLongNamesAndHugeRuleLists()
    {
        var name = Assert.Throws<PolicyFormatException>(() => Make(name: new string('n', 101)));
        Assert.Equal("name: is 101 characters long: at most 100", name.Message);

        var many = Enumerable.Range(0, Policy.MaxSelectorsPerRule + 1).Select(i => Selector.Email($"u{i}@example.com")).ToArray();
        var rule = Assert.Throws<PolicyFormatException>(() => Make(include: many));
        Assert.StartsWith("include: has 101 selectors: at most 100", rule.Message, StringComparison.Ordinal);
        Assert.Equal(100, Make(include: many[..100]).Include.Count);
    }

    [Theory]
    [InlineData("", "app: is empty")]
    [InlineData("db.example.com\n", "app: ")]
    [InlineData("10.0.0.1", "app: \"10.0.0.1\" is an IP address")]
    public void Constructor_RefusesAppsThatAreNotHostnames(string app, string expected)
    {
        var ex = Assert.Throws<PolicyFormatException>(() => Make(app: app));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LowercasesTheAppAndRefusesUnknownActionsAndNullLists()
    {
        Assert.Equal("db.example.com", Make(app: "DB.Example.COM").AppHostname);
        Assert.Contains("is not a policy action", Assert.Throws<PolicyFormatException>(() => Make(action: (PolicyAction)42)).Message, StringComparison.Ordinal);
        Assert.StartsWith("require: is missing", Assert.Throws<PolicyFormatException>(
            () => new Policy(Guid.NewGuid(), PolicyTables.App, "eng", PolicyAction.Allow, 1, [Selector.Everyone], null!, [])).Message, StringComparison.Ordinal);
        Assert.StartsWith("include: contains a missing", Assert.Throws<PolicyFormatException>(() => Make(include: [null!])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_CopiesItsListsAndComparesThemByValue()
    {
        var include = new List<Selector> { Selector.Group("eng") };
        var id = Guid.NewGuid();
        var policy = Make(id: id, include: include);
        include.Add(Selector.Everyone);

        Assert.Single(policy.Include);
        Assert.Equal(Make(id: id, include: [Selector.Parse("group:eng")]), policy);
        Assert.NotEqual(Make(id: id, include: [Selector.Parse("group:ops")]), policy);
        Assert.Contains("Include = [group:eng]", policy.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow", "allow")]
    [InlineData("DENY", "deny")]
    [InlineData("bypass", "bypass")]
    [InlineData("Service-Auth", "service-auth")]
    public void ActionNames_RoundTrip(string text, string canonical)
    {
        Assert.Equal(canonical, PolicyActionNames.ToName(PolicyActionNames.Parse(text)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("block")]
    [InlineData("service_auth")]
    [InlineData("allow\u001b")]
    public void ActionNames_RefuseOthers_ListingTheFour(string text)
    {
        var ex = Assert.Throws<PolicyFormatException>(() => PolicyActionNames.Parse(text));

        Assert.StartsWith("action: ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("use one of allow, deny, bypass, service-auth", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ex.Message, c => char.IsControl(c));
    }

    private static Policy Make(
        Guid? id = null,
        string app = PolicyTables.App,
        string name = "engineers",
        PolicyAction action = PolicyAction.Allow,
        IReadOnlyList<Selector>? include = null,
        IReadOnlyList<Selector>? require = null) =>
        new(id ?? Guid.NewGuid(), app, name, action, 1, include ?? [Selector.Group("eng")], require ?? [], []);
}
