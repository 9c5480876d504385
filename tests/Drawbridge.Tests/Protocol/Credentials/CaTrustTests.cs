using System.Net.Security;
using Drawbridge.Edge.Certificates;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Protocol.Credentials;

/// <summary>Real TLS handshakes over loopback: the validator is only as good as what SslStream does with it.</summary>
public sealed class CaTrustTests : IDisposable
{
    private readonly EdgeCertificateAuthority _authority = EdgeCertificateAuthority.Create(TimeProvider.System);

    [Fact]
    public async Task RightCaAndRightName_Handshakes()
    {
        using var server = _authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var trust = CaTrust.FromPem(_authority.CertificatePem);

        Assert.True(await TlsLoopback.HandshakeAsync(server, "edge.example.test", trust.ValidationCallback));
    }

    [Fact]
    public async Task WildcardName_CoversAnAppHostname()
    {
        using var server = _authority.IssueServerCertificate(["*.example.test"], includeLoopback: false);
        using var trust = CaTrust.FromPem(_authority.CertificatePem);

        Assert.True(await TlsLoopback.HandshakeAsync(server, "db.example.test", trust.ValidationCallback));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task LoopbackNames_AreCoveredWhenAskedFor(string targetHost)
    {
        using var server = _authority.IssueServerCertificate(["edge.example.test"], includeLoopback: true);
        using var trust = CaTrust.FromPem(_authority.CertificatePem);

        Assert.True(await TlsLoopback.HandshakeAsync(server, targetHost, trust.ValidationCallback));
    }

    [Fact]
    public async Task WrongCa_IsRefused()
    {
        using var server = _authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var otherAuthority = EdgeCertificateAuthority.Create(TimeProvider.System);
        using var trust = CaTrust.FromPem(otherAuthority.CertificatePem);

        Assert.False(await TlsLoopback.HandshakeAsync(server, "edge.example.test", trust.ValidationCallback));
    }

    [Fact]
    public async Task WrongName_IsRefused()
    {
        using var server = _authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var trust = CaTrust.FromPem(_authority.CertificatePem);

        Assert.False(await TlsLoopback.HandshakeAsync(server, "evil.example.test", trust.ValidationCallback));
    }

    [Fact]
    public async Task ExpiredCertificate_IsRefused()
    {
        var twoYearsAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(-2));
        using var oldAuthority = EdgeCertificateAuthority.Create(twoYearsAgo);
        using var server = oldAuthority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var trust = CaTrust.FromPem(oldAuthority.CertificatePem);

        Assert.False(await TlsLoopback.HandshakeAsync(server, "edge.example.test", trust.ValidationCallback));
    }

    [Fact]
    public void NoCertificateOrAnySslPolicyNameError_IsRefusedWithoutBuildingAChain()
    {
        using var server = _authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var trust = CaTrust.FromPem(_authority.CertificatePem);

        Assert.False(trust.Validate(null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.False(trust.Validate(server, null, SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.True(trust.Validate(server, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")]
    public void FromPem_RefusesTextWithoutACertificate(string pem)
    {
        Assert.Throws<CredentialFormatException>(() => CaTrust.FromPem(pem));
    }

    public void Dispose() => _authority.Dispose();
}
