using System.Net;
using Drawbridge.Connector.Ingress;

namespace Drawbridge.Tests.Connector;

public sealed class IngressServiceTests
{
    [Theory]
    [InlineData("tcp://localhost:5432", "localhost", 5432)]
    [InlineData("  tcp://localhost:5432  ", "localhost", 5432)]
    [InlineData("tcp://10.0.0.5:1", "10.0.0.5", 1)]
    [InlineData("tcp://DB.Example.COM:65535", "db.example.com", 65535)]
    [InlineData("tcp://[::1]:5432", "::1", 5432)]
    [InlineData("tcp://[2001:db8::7]:22", "2001:db8::7", 22)]
    [InlineData("ssh://bastion.internal", "bastion.internal", 22)]
    [InlineData("ssh://bastion.internal:2222", "bastion.internal", 2222)]
    [InlineData("rdp://10.0.0.5", "10.0.0.5", 3389)]
    [InlineData("smb://files", "files", 445)]
    [InlineData("redis://cache", "cache", 6379)]
    [InlineData("redis://cache:6380", "cache", 6380)]
    [InlineData("postgres://db", "db", 5432)]
    [InlineData("postgresql://db", "db", 5432)]
    [InlineData("mysql://db", "db", 3306)]
    [InlineData("tcp://localhost:5432/", "localhost", 5432)]
    public void Parse_ReadsHostAndPort_WithTheSchemesDefaultPort(string text, string host, int port)
    {
        IngressService service = IngressService.Parse(text);

        Assert.Equal(new IngressService(host, port), service);
        Assert.False(service.IsReject);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:6379", "127.0.0.1:6379")]
    [InlineData("tcp://[::1]:5432", "[::1]:5432")]
    [InlineData("rdp://10.0.0.5", "10.0.0.5:3389")]
    public void AnIpLiteral_IsDialedAsAnAddress_WithoutTheResolver(string text, string endPoint)
    {
        IngressService service = IngressService.Parse(text);

        IPEndPoint address = Assert.IsType<IPEndPoint>(service.EndPoint);
        Assert.Equal(IPEndPoint.Parse(endPoint), address);
    }

    [Fact]
    public void AName_IsResolvedOnEachDial_AndRejectHasNoEndPoint()
    {
        DnsEndPoint name = Assert.IsType<DnsEndPoint>(IngressService.Parse("tcp://db.internal:5432").EndPoint);

        Assert.Equal(new DnsEndPoint("db.internal", 5432), name);
        Assert.Null(IngressService.Reject.EndPoint);
    }

    [Theory]
    [InlineData("reject")]
    [InlineData(" reject ")]
    [InlineData("http_status:404")]
    [InlineData("http_status:503")]
    public void Parse_RejectAndHttpStatus_AreTheRefusingService(string text)
    {
        IngressService service = IngressService.Parse(text);

        Assert.True(service.IsReject);
        Assert.Same(IngressService.Reject, service);
        Assert.Equal("reject", service.ToString());
    }

    [Theory]
    [InlineData("tcp://localhost:5432", "tcp://localhost:5432")]
    [InlineData("ssh://bastion", "tcp://bastion:22")]
    [InlineData("tcp://[::1]:5432", "tcp://[::1]:5432")]
    public void ToString_IsATcpUrlThatParsesBackToTheSameService(string text, string expected)
    {
        IngressService service = IngressService.Parse(text);

        Assert.Equal(expected, service.ToString());
        Assert.Equal(service, IngressService.Parse(service.ToString()));
    }

    [Theory]
    [InlineData("tcp://localhost", "needs a port from 1 to 65535")]
    [InlineData("tcp://[::1]", "needs a port from 1 to 65535")]
    [InlineData("tcp://localhost:0", "needs a port from 1 to 65535")]
    [InlineData("tcp://localhost:70000", "is not a URL like tcp://localhost:5432")]
    [InlineData("tcp://localhost:-1", "is not a URL like tcp://localhost:5432")]
    [InlineData("tcp://localhost:5432/db", "has a path, query, fragment or user name")]
    [InlineData("tcp://localhost:5432?sslmode=disable", "has a path, query, fragment or user name")]
    [InlineData("tcp://localhost:5432#primary", "has a path, query, fragment or user name")]
    [InlineData("tcp://admin:hunter2@localhost:5432", "has a path, query, fragment or user name")]
    [InlineData("http://localhost:8080", "has scheme 'http'; use tcp://")]
    [InlineData("https://localhost:8443", "has scheme 'https'; use tcp://")]
    [InlineData("udp://localhost:53", "has scheme 'udp'; use tcp://")]
    [InlineData("file://server/share", "has scheme 'file'; use tcp://")]
    [InlineData("localhost:5432", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("/var/run/postgres.sock", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("tcp://", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("tcp://db host:5432", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("REJECT", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("garbage", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    [InlineData("   ", "is not a URL like tcp://localhost:5432 (or 'reject')")]
    public void Parse_RefusesWhatIsNotATcpOrigin_NamingTheValueAndTheFix(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => IngressService.Parse(text));

        Assert.Contains($"service '{text.Trim()}' ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TenKilobyteHost_IsRefusedWithAShortMessage()
    {
        string host = string.Join('.', Enumerable.Repeat("abcdefghi", 1000));

        var ex = Assert.Throws<FormatException>(() => IngressService.Parse($"tcp://{host}:22"));

        Assert.Contains("a DNS name has at most 253", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 300, $"the message is {ex.Message.Length} characters long");
    }

    [Fact]
    public void Parse_TenKilobytesOfGarbage_IsRefusedWithAShortMessage()
    {
        string text = new('\u0007', 10 * 1024);

        var ex = Assert.Throws<FormatException>(() => IngressService.Parse(text));

        Assert.Contains("is not a URL like tcp://localhost:5432", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 300, $"the message is {ex.Message.Length} characters long");
        Assert.DoesNotContain(ex.Message, char.IsControl);
    }
}
