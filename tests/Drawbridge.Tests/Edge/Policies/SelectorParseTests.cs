using Drawbridge.Edge.Policies;

namespace Drawbridge.Tests.Edge.Policies;

public sealed class SelectorParseTests
{
    /// <summary>Canonical forms: what goes in comes back out unchanged.</summary>
    public static TheoryData<string> CanonicalSelectors => new()
    {
        "everyone",
        "email:alice@example.com",
        "email:first.last+tag@mail.example.co.uk",
        "email:jürgen@bücher.example",
        "email-domain:example.com",
        "email-domain:xn--bcher-kva.example",
        "group:eng",
        "group:Domain Admins",
        "group:CN=eng,OU=Groups,DC=example,DC=com",
        "group:00000000-1111-2222-3333-444444444444",
        "login-method:otp",
        "login-method:okta",
        "ip:10.0.0.0/8",
        "ip:192.168.100.0/24",
        "ip:203.0.113.9/32",
        "ip:0.0.0.0/0",
        "ip:2001:db8::/32",
        "ip:2001:db8::1/128",
        "ip:::/0",
        "service-token:ci",
        "service-token:deploy bot",
        "service-token:0123456789abcdef0123456789abcdef.access",
    };

    /// <summary>Accepted inputs and the canonical form they are stored and shown in.</summary>
    public static TheoryData<string, string> NormalisedSelectors => new()
    {
        { "EVERYONE", "everyone" },
        { "Email:Alice@Example.COM", "email:alice@example.com" },
        { "email:ÄLICE@example.com", "email:Älice@example.com" },
        { "email-domain:@Example.com", "email-domain:example.com" },
        { "EMAIL-DOMAIN:EXAMPLE.COM", "email-domain:example.com" },
        { "Group:Eng", "group:Eng" },
        { "login-method:OTP", "login-method:otp" },
        { "ip:10.0.0.1/8", "ip:10.0.0.0/8" },
        { "ip:192.168.100.1/24", "ip:192.168.100.0/24" },
        { "ip:10.0.0.1", "ip:10.0.0.1/32" },
        { "ip:2001:DB8:0:0::1", "ip:2001:db8::1/128" },
        { "ip:2001:db8::1/32", "ip:2001:db8::/32" },
        { "IP:10.0.0.0/8", "ip:10.0.0.0/8" },
        { "service-token:CI", "service-token:CI" },
    };

    /// <summary>Bad input and a phrase its message must contain.</summary>
    public static TheoryData<string, string> HostileSelectors => new()
    {
        { "", "is empty" },
        { "   ", "is empty" },
        { " email:a@example.com", "starts or ends with spaces" },
        { "email:a@example.com\t", "control or invisible characters" },
        { "email:a@example.com\n", "control or invisible characters" },
        { "group:eng\u001b[31m", "control or invisible characters" },
        { "group:eng\u202Egnp.exe", "control or invisible characters" },
        { "group:e\u200Bng", "control or invisible characters" },
        { "group:" + new string('g', 10 * 1024), "is 10246 characters long: at most 1024" },
        { "group:" + new string('g', 257), "group name of 257 characters: at most 256" },
        { "alice@example.com", "is not a selector: write kind:value" },
        { "user:alice", "unknown kind \"user\"" },
        { "country:PT", "unknown kind \"country\"" },
        { ":eng", "unknown kind \"\"" },
        { "everyone:yes", "everyone takes no value" },
        { "email", "has no value: write email:value" },
        { "email:", "has no value after \"email:\"" },
        { "email: alice@example.com", "spaces around its value" },
        { "email:alice", "exactly one '@'" },
        { "email:a@b@example.com", "exactly one '@'" },
        { "email:@example.com", "part before '@' of 0 characters" },
        { "email:" + new string('a', 65) + "@example.com", "part before '@' of 65 characters" },
        { "email:" + new string('a', 60) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".com", "e-mail address of 308 characters: at most 254" },
        { "email:al ice@example.com", "spaces in the e-mail address" },
        { "email:alice@", "e-mail domain of 0 characters" },
        { "email:alice@example..com", "empty label" },
        { "email:alice@exa_mple.com", "characters other than letters" },
        { "email-domain:*.example.com", "matches exactly, without subdomains" },
        { "email-domain:-example.com", "inner '-'" },
        { "email-domain:example.com.", "empty label" },
        { "email-domain:" + new string('a', 64) + ".com", "label of 64 characters" },
        { "login-method:one time pin", "characters other than a-z" },
        { "login-method:" + new string('o', 65), "at most 64" },
        { "ip:10.0.0.0/33", "not a number from 0 to 32" },
        { "ip:2001:db8::/129", "not a number from 0 to 128" },
        { "ip:10.0.0.0/-1", "not a number from 0 to 32" },
        { "ip:10.0.0.0/+8", "not a number from 0 to 32" },
        { "ip:10.0.0.0/08", "not a number from 0 to 32" },
        { "ip:10.0.0.0/", "not a number from 0 to 32" },
        { "ip:10.0.0.0/8/8", "not a number from 0 to 32" },
        { "ip:10.0.0.0/99999999999", "not a number from 0 to 32" },
        { "ip:10.1", "not an IPv4 address" },
        { "ip:010.0.0.1", "without leading zeros" },
        { "ip:0x0a.0.0.1", "not an IPv4 address" },
        { "ip:256.0.0.1", "not an IPv4 address" },
        { "ip:10.0.0.1.5", "not an IPv4 address" },
        { "ip:example.com", "not an IPv4 address" },
        { "ip:fe80::1%eth0", "not an IPv6 address (no zone" },
        { "ip:[::1]", "not an IPv6 address" },
        { "ip:2001:db8:::1", "not an IPv6 address" },
        { "ip:::ffff:10.0.0.0/104", "write the IPv4 range" },
        { "service-token:" + new string('t', 101), "at most 100" },
    };

    [Theory]
    [MemberData(nameof(CanonicalSelectors))]
    public void Parse_ThenToString_GivesTheSameText(string text)
    {
        var selector = Selector.Parse(text);

        Assert.Equal(text, selector.ToString());
        Assert.Equal(selector, Selector.Parse(selector.ToString()));
    }

    [Theory]
    [MemberData(nameof(NormalisedSelectors))]
    public void Parse_NormalisesToTheCanonicalForm(string text, string canonical)
    {
        var selector = Selector.Parse(text);

        Assert.Equal(canonical, selector.ToString());
        Assert.Equal(selector, Selector.Parse(canonical));
    }

    [Theory]
    [MemberData(nameof(HostileSelectors))]
    public void Parse_RefusesBadInput_SayingWhatIsWrongAndListingTheForms(string text, string expected)
    {
        var ex = Assert.Throws<PolicyFormatException>(() => Selector.Parse(text));

        Assert.StartsWith("selector \"", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("Allowed forms: " + Selector.AllowedForms, ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 500, "the message echoes at most a little of the input");
        Assert.DoesNotContain(ex.Message, c => char.IsControl(c));
        Assert.False(Selector.TryParse(text, out var none, out var problem));
        Assert.Null(none);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesUnpairedSurrogates()
    {
        // Not in the table: xUnit's serialiser turns a lone surrogate into U+FFFD before the test sees it.
        var ex = Assert.Throws<PolicyFormatException>(() => Selector.Parse("group:\uD800x"));

        Assert.Contains("control or invisible characters", ex.Message, StringComparison.Ordinal);
        Assert.Equal("group:😀", Selector.Parse("group:😀").ToString());
    }

    [Fact]
    public void Parse_RefusesNull()
    {
        var ex = Assert.Throws<PolicyFormatException>(() => Selector.Parse(null));

        Assert.Contains("is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factories_BuildWhatParseReads()
    {
        Assert.Equal(Selector.Parse("everyone"), Selector.Everyone);
        Assert.Equal(Selector.Parse("email:alice@example.com"), Selector.Email("Alice@Example.com"));
        Assert.Equal(Selector.Parse("email-domain:example.com"), Selector.EmailDomain("@example.com"));
        Assert.Equal(Selector.Parse("group:eng"), Selector.Group("eng"));
        Assert.Equal(Selector.Parse("login-method:otp"), Selector.LoginMethod("otp"));
        Assert.Equal(Selector.Parse("ip:10.0.0.0/8"), Selector.IpRange("10.1.2.3/8"));
        Assert.Equal(Selector.Parse("service-token:ci"), Selector.ServiceToken("ci"));
    }

    [Fact]
    public void Factories_ApplyTheSameRules()
    {
        var ex = Assert.Throws<PolicyFormatException>(() => Selector.Email("alice\n@example.com"));
        Assert.Contains("control or invisible characters", ex.Message, StringComparison.Ordinal);

        Assert.Throws<PolicyFormatException>(() => Selector.Group(""));
        Assert.Throws<PolicyFormatException>(() => Selector.IpRange("10.0.0.0/33"));
        Assert.Throws<PolicyFormatException>(() => Selector.ServiceToken(" ci"));
        Assert.Throws<PolicyFormatException>(() => Selector.LoginMethod(new string('x', 100_000)));
    }

    [Fact]
    public void IpRange_KeepsTheNetworkAndOnlyIpRangesHaveOne()
    {
        var range = Selector.Parse("ip:10.9.8.7/16");

        Assert.Equal(SelectorKind.IpRange, range.Kind);
        Assert.Equal("10.9.0.0/16", range.Value);
        Assert.Equal(16, range.Network!.Value.PrefixLength);
        Assert.Null(Selector.Parse("group:eng").Network);
    }
}
