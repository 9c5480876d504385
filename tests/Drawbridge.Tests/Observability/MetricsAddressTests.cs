using System.Net;
using Drawbridge.Observability;

namespace Drawbridge.Tests.Observability;

/// <summary><c>--metrics IP:PORT</c>: a literal address and a port, and every near miss refused with what to write instead.</summary>
public sealed class MetricsAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:2000", "127.0.0.1:2000")]
    [InlineData("0.0.0.0:0", "0.0.0.0:0")]
    [InlineData("10.1.2.3:65535", "10.1.2.3:65535")]
    [InlineData("[::1]:9090", "[::1]:9090")]
    [InlineData("[::]:2000", "[::]:2000")]
    [InlineData("[0:0:0:0:0:0:0:1]:2000", "[::1]:2000")]
    public void IpAndPort_AreAccepted(string text, string expected)
    {
        Assert.True(MetricsAddress.TryParse(text, out IPEndPoint? endpoint, out string problem), problem);

        Assert.Equal(expected, endpoint.ToString());
        Assert.Equal("", problem);
    }

    [Theory]
    [InlineData(null, "expected IP:PORT such as 127.0.0.1:2000")]
    [InlineData("", "expected IP:PORT such as 127.0.0.1:2000")]
    [InlineData("127.0.0.1", "no port: expected IP:PORT")]
    [InlineData("[::1]", "no port: expected IP:PORT")]
    [InlineData("2000", "no port: expected IP:PORT")]
    [InlineData("localhost:2000", "must be an IP address, not a name: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)")]
    [InlineData("metrics.example.com:2000", "must be an IP address, not a name")]
    [InlineData("[localhost]:2000", "'[localhost]' is not an IP address")]
    [InlineData("127.0.0.1:65536", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:99999999999999999999", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:-1", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:+80", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:20 00", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:2000\n", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:\uff12\uff10\uff10\uff10", "the port must be a number from 0 to 65535")] // full-width digits
    [InlineData("::1:2000", "an IPv6 address goes in brackets, e.g. [::1]:2000")]
    [InlineData("::1", "an IPv6 address goes in brackets")]
    [InlineData("fe80::1", "an IPv6 address goes in brackets")]
    [InlineData("[127.0.0.1]:2000", "'[127.0.0.1]' is not an IP address")]
    [InlineData("127.1:2000", "'127.1' is not an IP address")]
    [InlineData("2130706433:2000", "'2130706433' is not an IP address")]
    [InlineData("127.000.000.001:2000", "'127.000.000.001' is not an IP address")]
    [InlineData(" 127.0.0.1:2000", "' 127.0.0.1' is not an IP address")]
    [InlineData("256.0.0.1:2000", "'256.0.0.1' is not an IP address")]
    [InlineData("http://127.0.0.1:2000", "give IP:PORT without a scheme")]
    [InlineData("127.0.0.1:2000/metrics", "the port must be a number")]
    public void NearMisses_AreRefusedSayingWhatToWrite(string? text, string expected)
    {
        Assert.False(MetricsAddress.TryParse(text, out IPEndPoint? endpoint, out string problem));

        Assert.Null(endpoint);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOversizedValue_IsRefusedWithoutBeingEchoedWhole()
    {
        string huge = "127.0.0.1:" + new string('9', 100_000);

        Assert.False(MetricsAddress.TryParse(huge, out _, out string problem));

        Assert.StartsWith("too long for IP:PORT (at most 64 characters)", problem, StringComparison.Ordinal);
        Assert.Equal(MetricsAddress.MaxLength + 1, MetricsAddress.Shown(huge).Length);
        Assert.EndsWith("…", MetricsAddress.Shown(huge), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:2000", MetricsAddress.Shown("127.0.0.1:2000"));
    }
}
