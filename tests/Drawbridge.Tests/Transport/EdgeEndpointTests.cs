using Drawbridge.Protocol.Transport;

namespace Drawbridge.Tests.Transport;

public sealed class EdgeEndpointTests
{
    [Theory]
    [InlineData("edge.example.com", "edge.example.com", 443)]
    [InlineData(" edge.example.com ", "edge.example.com", 443)]
    [InlineData("edge.example.com:8443", "edge.example.com", 8443)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("edge_1.internal:65535", "edge_1.internal", 65535)]
    [InlineData("127.0.0.1:9443", "127.0.0.1", 9443)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("[::1]", "::1", 443)]
    [InlineData("[2001:db8::7]:8443", "2001:db8::7", 8443)]
    [InlineData("::1", "::1", 443)]
    [InlineData("2001:db8::7", "2001:db8::7", 443)]
    [InlineData("https://edge.example.com", "edge.example.com", 443)]
    [InlineData("https://edge.example.com:8443/", "edge.example.com", 8443)]
    [InlineData("wss://edge.example.com:9443/_drawbridge/tunnel", "edge.example.com", 9443)]
    [InlineData("https://[::1]:8443", "::1", 8443)]
    [InlineData("https://EDGE.Example.com", "edge.example.com", 443)]
    public void ParseHostPort_ReadsHostAndPort(string value, string host, int port) =>
        Assert.Equal((host, port), EdgeEndpoint.ParseHostPort(value));

    [Theory]
    [InlineData("edge.example.com", 8443)]
    [InlineData("[::1]", 8443)]
    [InlineData("https://edge.example.com", 8443)]
    [InlineData("http://edge.example.com", 8443)]
    public void ParseHostPort_WithoutAPort_UsesTheCallersDefault(string value, int defaultPort) =>
        Assert.Equal(defaultPort, EdgeEndpoint.ParseHostPort(value, defaultPort).Port);

    [Theory]
    [InlineData("edge.example.com:0")]
    [InlineData("edge.example.com:65536")]
    [InlineData("edge.example.com:-1")]
    [InlineData("edge.example.com:+443")]
    [InlineData("edge.example.com:https")]
    [InlineData("edge.example.com:")]
    [InlineData("edge.example.com:99999999999999999999")]
    [InlineData("[::1]:0")]
    [InlineData("[::1]:")]
    [InlineData("[::1]:abc")]
    public void ParseHostPort_BadPort_SaysOneTo65535(string value)
    {
        var ex = Assert.Throws<FormatException>(() => EdgeEndpoint.ParseHostPort(value));

        Assert.Equal($"'{value}' has no valid port (1-65535)", ex.Message);
    }

    [Theory]
    [InlineData("[::1")]
    [InlineData("[::1:443")]
    public void ParseHostPort_OpenBracketWithoutClose_SaysSo(string value) =>
        Assert.Equal($"'{value}' has '[' without ']'", Assert.Throws<FormatException>(() => EdgeEndpoint.ParseHostPort(value)).Message);

    [Theory]
    [InlineData("[::1]443")]
    [InlineData("[::1]junk")]
    [InlineData("[]:443")]
    [InlineData("[edge.example.com]:443")]
    [InlineData("[not-an-address]")]
    public void ParseHostPort_BracketsAroundSomethingElse_AreRefused(string value) =>
        Assert.Equal($"'{value}' is not [IPv6 address] or [IPv6 address]:PORT", Assert.Throws<FormatException>(() => EdgeEndpoint.ParseHostPort(value)).Message);

    [Theory]
    [InlineData(":443")]
    [InlineData("edge example.com:443")]
    [InlineData("edge.example.com:443:444")]
    [InlineData("-edge.example.com")]
    [InlineData("edge..example.com")]
    [InlineData("edge/path:443")]
    public void ParseHostPort_NoValidHost_IsRefused(string value) =>
        Assert.Equal($"'{value}' has no valid host name or IP address (HOST[:PORT], IPv6 in brackets)",
            Assert.Throws<FormatException>(() => EdgeEndpoint.ParseHostPort(value)).Message);

    [Theory]
    [InlineData("https://edge.example.com:99999")]
    [InlineData("https://")]
    [InlineData("https://:443")]
    [InlineData("https://edge example.com")]
    public void ParseHostPort_BadUrl_IsRefusedNamingIt(string value) =>
        Assert.Equal($"'{value}' is not a URL like https://edge.example.com:443", Assert.Throws<FormatException>(() => EdgeEndpoint.ParseHostPort(value)).Message);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ParseHostPort_Empty_IsAnArgumentError(string value) =>
        Assert.Throws<ArgumentException>(() => EdgeEndpoint.ParseHostPort(value));

    [Fact]
    public void ParseHostPort_TenKilobytes_IsRefused() =>
        Assert.Throws<FormatException>(() => EdgeEndpoint.ParseHostPort(new string('a', 10 * 1024) + ":443:1"));

    [Fact]
    public void Direct_DialsTheNameItPresents()
    {
        EdgeEndpoint endpoint = EdgeEndpoint.Direct("edge.example.com");

        Assert.Equal(new EdgeEndpoint("edge.example.com", 443, "edge.example.com", 443), endpoint);
        Assert.Equal(new Uri("wss://edge.example.com/_drawbridge/tunnel"), endpoint.WebSocketUri("/_drawbridge/tunnel"));
    }
}
