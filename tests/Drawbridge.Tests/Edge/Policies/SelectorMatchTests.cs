using System.Net;
using Drawbridge.Edge.Policies;

namespace Drawbridge.Tests.Edge.Policies;

public sealed class SelectorMatchTests
{
    private const string TokenId = "0123456789abcdef0123456789abcdef.access";

    /// <summary>Selector, subject line (see <see cref="PolicyTables.Subject"/>), whether it matches.</summary>
    public static TheoryData<string, string, bool> Cases => new()
    {
        // everyone: any subject at all.
        { "everyone", "user alice@example.com", true },
        { "everyone", $"token ci id={TokenId}", true },
        { "everyone", "anonymous", true },

        // email: exact address; ASCII case ignored, nothing else.
        { "email:alice@example.com", "user alice@example.com", true },
        { "email:alice@example.com", "user ALICE@Example.COM", true },
        { "email:Alice@Example.com", "user alice@example.com", true },
        { "email:alice@example.com", "user bob@example.com", false },
        { "email:alice@example.com", "user alice@example.com.evil.test", false },
        { "email:alice@example.com", "user xalice@example.com", false },
        { "email:alice@example.com", "user alice@sub.example.com", false },
        { "email:alice@example.com", "token alice@example.com", false },
        { "email:alice@example.com", "anonymous", false },
        { "email:jürgen@example.com", "user jürgen@example.com", true },
        { "email:jürgen@example.com", "user JÜRGEN@example.com", false },
        { "email:kelly@example.com", "user \u212Aelly@example.com", false },
        { "email:jürgen@example.com", "user ju\u0308rgen@example.com", false },

        // email-domain: the part after the last '@', exactly; no subdomains.
        { "email-domain:example.com", "user alice@example.com", true },
        { "email-domain:example.com", "user alice@EXAMPLE.com", true },
        { "email-domain:@example.com", "user alice@example.com", true },
        { "email-domain:example.com", "user alice@eng.example.com", false },
        { "email-domain:example.com", "user alice@notexample.com", false },
        { "email-domain:example.com", "user alice@example.com.evil.test", false },
        { "email-domain:example.com", "user example.com", false },
        { "email-domain:example.com", "user alice@evil.test@example.com", true },
        { "email-domain:eng.example.com", "user alice@eng.example.com", true },
        { "email-domain:example.com", "token example.com", false },

        // group: exact and case-sensitive, as the IdP sends it.
        { "group:eng", "user alice@example.com groups=eng", true },
        { "group:eng", "user alice@example.com groups=ops,eng,sales", true },
        { "group:eng", "user alice@example.com groups=Eng", false },
        { "group:eng", "user alice@example.com groups=engineering", false },
        { "group:eng", "user alice@example.com", false },
        { "group:Domain Admins", "user alice@example.com groups=Domain Admins", true },
        { "group:eng", "token eng", false },

        // login-method: the sign-in method id, any ASCII case.
        { "login-method:otp", "user alice@example.com login=otp", true },
        { "login-method:okta", "user alice@example.com login=Okta", true },
        { "login-method:otp", "user alice@example.com login=okta", false },
        { "login-method:otp", "user alice@example.com", false },
        { "login-method:otp", "token otp", false },

        // ip: the client's address is in the range; mapped IPv6 clients match IPv4 ranges.
        { "ip:10.0.0.0/8", "user alice@example.com ip=10.255.1.2", true },
        { "ip:10.0.0.0/8", "user alice@example.com ip=11.0.0.1", false },
        { "ip:10.0.0.0/8", "user alice@example.com ip=9.255.255.255", false },
        { "ip:10.0.0.0/8", "user alice@example.com ip=::ffff:10.1.2.3", true },
        { "ip:10.0.0.0/8", "user alice@example.com ip=::ffff:11.1.2.3", false },
        { "ip:10.0.0.0/8", "user alice@example.com ip=::a01:203", false },
        { "ip:203.0.113.9", "user alice@example.com ip=203.0.113.9", true },
        { "ip:203.0.113.9", "user alice@example.com ip=203.0.113.10", false },
        { "ip:0.0.0.0/0", "user alice@example.com ip=198.51.100.1", true },
        { "ip:0.0.0.0/0", "user alice@example.com ip=2001:db8::1", false },
        { "ip:2001:db8::/32", "user alice@example.com ip=2001:db8:ffff::1", true },
        { "ip:2001:db8::/32", "user alice@example.com ip=2001:db9::1", false },
        { "ip:2001:db8::/32", "user alice@example.com ip=10.0.0.1", false },
        { "ip:2001:db8::1", "user alice@example.com ip=2001:db8::1", true },
        { "ip:2001:db8::1", "user alice@example.com ip=2001:db8::2", false },
        { "ip:::/0", "user alice@example.com ip=::1", true },
        { "ip:::/0", "user alice@example.com ip=::ffff:10.1.2.3", false },
        { "ip:fe80::/10", "user alice@example.com ip=fe80::1%2", true },
        { "ip:10.0.0.0/8", $"token ci id={TokenId} ip=10.0.0.5", true },
        { "ip:10.0.0.0/8", "anonymous ip=10.0.0.5", true },

        // service-token: a token by name (exact) or client id (any case); never a user.
        { "service-token:ci", $"token ci id={TokenId}", true },
        { "service-token:ci", "token ci", true },
        { "service-token:ci", $"token CI id={TokenId}", false },
        { "service-token:ci", $"token deploy id={TokenId}", false },
        { $"service-token:{TokenId}", $"token deploy id={TokenId}", true },
        { $"service-token:{TokenId.ToUpperInvariant()}", $"token deploy id={TokenId}", true },
        { $"service-token:{TokenId}", "token deploy id=ffffffffffffffffffffffffffffffff.access", false },
        { "service-token:ci", "user ci@example.com groups=ci login=ci", false },
        { "service-token:ci", "anonymous", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_FollowsEachKindsRule(string selector, string subject, bool expected)
    {
        Assert.Equal(expected, Selector.Parse(selector).Matches(PolicyTables.Subject(subject)));
    }

    [Fact]
    public void Subject_TurnsMappedAddressesBackIntoIPv4()
    {
        var subject = AccessSubject.User("alice@example.com", [], null, IPAddress.Parse("::ffff:192.0.2.1"));

        Assert.Equal(IPAddress.Parse("192.0.2.1"), subject.ClientAddress);
    }

    [Fact]
    public void Subject_HasExactlyOneShape()
    {
        var user = PolicyTables.Subject("user alice@example.com groups=eng,eng,ops");
        var token = PolicyTables.Subject($"token ci id={TokenId}");
        var anonymous = PolicyTables.Subject("anonymous");

        Assert.True(user.IsUser && !user.IsServiceToken && !user.IsAnonymous);
        Assert.True(token.IsServiceToken && !token.IsUser && !token.IsAnonymous);
        Assert.True(anonymous.IsAnonymous && !anonymous.IsUser && !anonymous.IsServiceToken);
        Assert.Equal(["eng", "ops"], user.Groups.Order(StringComparer.Ordinal));
        Assert.Empty(token.Groups);
        Assert.Null(token.Email);
        Assert.Equal("example.com", user.EmailDomain);
    }

    [Fact]
    public void Subject_DescribesItselfWithoutControlCharacters()
    {
        Assert.Equal("alice@example.com", PolicyTables.Subject("user alice@example.com").Describe());
        Assert.Equal("service token 'ci'", PolicyTables.Subject("token ci").Describe());
        Assert.Equal("an anonymous client at 203.0.113.9", PolicyTables.Subject("anonymous ip=203.0.113.9").Describe());
        Assert.Equal("evil?[2J@example.com", AccessSubject.User("evil\u001b[2J@example.com", [], null, IPAddress.Loopback).Describe());
    }
}
