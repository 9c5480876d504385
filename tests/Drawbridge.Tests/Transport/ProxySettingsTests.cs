using Drawbridge.Protocol.Transport;

namespace Drawbridge.Tests.Transport;

/// <summary><see cref="ProxySettings.FromEnvironment"/> with a hand-written environment instead of the process's.</summary>
public sealed class ProxySettingsTests
{
    private static ProxySettings? FromEnvironment(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return ProxySettings.FromEnvironment(environment.GetValueOrDefault);
    }

    private static ProxySettings WithNoProxy(string noProxy) =>
        FromEnvironment(("HTTPS_PROXY", "http://proxy.corp:3128"), ("NO_PROXY", noProxy))!;

    [Fact]
    public void NothingSet_MeansNoProxy()
    {
        Assert.Null(FromEnvironment());
        Assert.Null(FromEnvironment(("HTTPS_PROXY", "   "), ("NO_PROXY", "*")));
        Assert.Null(FromEnvironment(("HTTP_PROXY", "http://only-for-plain-http:3128")));
    }

    [Fact]
    public void HttpsProxy_WinsOverLowerCaseAndAllProxy()
    {
        ProxySettings? settings = FromEnvironment(
            ("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "http://lower:2"), ("ALL_PROXY", "http://all:3"), ("all_proxy", "http://all-lower:4"));

        Assert.Equal(new Uri("http://upper:1"), settings!.ProxyUri);
    }

    [Theory]
    [InlineData("https_proxy", "http://lower:2")]
    [InlineData("ALL_PROXY", "http://all:3")]
    [InlineData("all_proxy", "http://all-lower:4")]
    public void LaterVariables_AreUsedWhenEarlierOnesAreUnsetOrBlank(string name, string value)
    {
        string[] order = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
        var variables = order.TakeWhile(n => n != name).Select(n => (n, " ")).Append((name, value)).ToArray();

        Assert.Equal(new Uri(value), FromEnvironment(variables)!.ProxyUri);
    }

    [Theory]
    [InlineData("proxy.corp:3128", "http://proxy.corp:3128/")]
    [InlineData("  proxy.corp:3128  ", "http://proxy.corp:3128/")]
    [InlineData("10.0.0.1:8080", "http://10.0.0.1:8080/")]
    [InlineData("user:secret@proxy.corp:3128", "http://user:secret@proxy.corp:3128/")]
    [InlineData("http://proxy.corp", "http://proxy.corp/")]
    public void AddressWithoutScheme_IsTakenAsHttp(string value, string expected) =>
        Assert.Equal(expected, FromEnvironment(("HTTPS_PROXY", value))!.ProxyUri.AbsoluteUri);

    [Theory]
    [InlineData("https://proxy.corp:443", "https")]
    [InlineData("socks5://proxy.corp:1080", "socks5")]
    public void NonHttpProxy_IsRefusedSayingOnlyHttpIsSupported(string value, string scheme)
    {
        var ex = Assert.Throws<FormatException>(() => FromEnvironment(("HTTPS_PROXY", value)));

        Assert.Equal($"HTTPS_PROXY '{value}' is a {scheme}:// proxy; only http:// proxies (HTTP CONNECT) are supported", ex.Message);
    }

    [Theory]
    [InlineData("http://")]
    [InlineData("::::")]
    [InlineData("http://proxy.corp:99999")]
    [InlineData("proxy corp:3128")]
    [InlineData("http://[::1:3128")]
    public void GarbageAddress_IsRefusedNamingTheVariableAndTheValue(string value)
    {
        var ex = Assert.Throws<FormatException>(() => FromEnvironment(("ALL_PROXY", value)));

        Assert.Equal($"ALL_PROXY '{value}' is not a proxy address like http://proxy.example.com:3128", ex.Message);
    }

    [Theory]
    [InlineData("https://alice:hunter2@proxy.corp:443")]
    [InlineData("http://alice:hunter2@proxy.corp:99999")]
    public void RefusedAddress_NeverEchoesItsPassword(string value)
    {
        var ex = Assert.Throws<FormatException>(() => FromEnvironment(("https_proxy", value)));

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'" + value[..value.IndexOf("://", StringComparison.Ordinal)] + "://***@proxy.corp", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("https_proxy ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoProxyUnset_BypassesNothing_NotEvenLoopback()
    {
        ProxySettings settings = FromEnvironment(("HTTPS_PROXY", "proxy.corp:3128"))!;

        Assert.Empty(settings.NoProxy);
        Assert.False(settings.Bypasses("edge.example.com"));
        Assert.False(settings.Bypasses("127.0.0.1"));
        Assert.False(settings.Bypasses("localhost"));
    }

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "edge.example.com", true)]
    [InlineData("example.com", "a.b.example.com", true)]
    [InlineData("example.com", "EDGE.Example.COM", true)]
    [InlineData("example.com", "badexample.com", false)]
    [InlineData("example.com", "example.com.evil.test", false)]
    [InlineData("example.com", "example.org", false)]
    [InlineData(".example.com", "example.com", true)]
    [InlineData(".example.com", "edge.example.com", true)]
    [InlineData("..example.com", "edge.example.com", true)]
    [InlineData("Example.COM", "edge.example.com", true)]
    [InlineData("internal, example.com ,,", "edge.example.com", true)]
    [InlineData("internal, example.com ,,", "db.internal", true)]
    [InlineData("internal, example.com ,,", "edge.example.net", false)]
    [InlineData("*", "anything.test", true)]
    [InlineData("other.test,*", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("::1", "::1", true)]
    public void NoProxy_MatchesHostSuffixesOnLabelBoundaries(string noProxy, string host, bool bypassed) =>
        Assert.Equal(bypassed, WithNoProxy(noProxy).Bypasses(host));

    [Fact]
    public void NoProxy_LowerCaseVariable_IsReadWhenTheUpperCaseOneIsUnset()
    {
        ProxySettings settings = FromEnvironment(("HTTPS_PROXY", "proxy.corp:3128"), ("no_proxy", ".internal"))!;

        Assert.Equal(["internal"], settings.NoProxy);
        Assert.True(settings.Bypasses("db.internal"));
    }

    [Fact]
    public void NoProxy_EntriesAreTrimmedLowerCasedAndStrippedOfLeadingDots() =>
        Assert.Equal(["example.com", "internal", "*"], WithNoProxy(" .Example.COM , ,INTERNAL,*").NoProxy);
}
