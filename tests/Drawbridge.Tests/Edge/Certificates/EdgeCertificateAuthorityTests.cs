using System.Net;
using System.Security.Cryptography.X509Certificates;
using Drawbridge.Edge.Certificates;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Edge.Certificates;

public sealed class EdgeCertificateAuthorityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly TempDirectory _directory = TempDirectory.Create();

    [Fact]
    public void Create_MakesAP256CaForTenYears()
    {
        using var authority = EdgeCertificateAuthority.Create(_time);
        var ca = authority.Certificate;

        Assert.Matches("^Drawbridge local CA [0-9a-f]{8}$", ca.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.Equal(256, ca.GetECDsaPublicKey()!.KeySize);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.Equal(Start.AddDays(3650).UtcDateTime, ca.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.False(ca.HasPrivateKey);
    }

    [Fact]
    public void Create_GivesEachInstallItsOwnCaName()
    {
        using var first = EdgeCertificateAuthority.Create(_time);
        using var second = EdgeCertificateAuthority.Create(_time);

        Assert.NotEqual(first.Certificate.Subject, second.Certificate.Subject);
    }

    [Fact]
    public void IssueServerCertificate_HasTheNamesServerAuthAndOneYear()
    {
        using var authority = EdgeCertificateAuthority.Create(_time);

        using var server = authority.IssueServerCertificate(["Edge.Example.test", "*.apps.example.test", "192.0.2.7"], includeLoopback: false);

        var san = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["edge.example.test", "*.apps.example.test"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("192.0.2.7")], san.EnumerateIPAddresses());
        Assert.Equal("1.3.6.1.5.5.7.3.1", server.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        Assert.False(server.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(authority.Certificate.Subject, server.Issuer);
        Assert.Equal(Start.AddDays(365).UtcDateTime, server.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.True(server.HasPrivateKey);
    }

    [Fact]
    public void IssueServerCertificate_AddsLoopbackNamesOnlyWhenAsked()
    {
        using var authority = EdgeCertificateAuthority.Create(_time);

        using var without = authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var with = authority.IssueServerCertificate(["edge.example.test"], includeLoopback: true);

        var plain = without.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.DoesNotContain("localhost", plain.EnumerateDnsNames());
        Assert.Empty(plain.EnumerateIPAddresses());
        var loopback = with.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", loopback.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], loopback.EnumerateIPAddresses());
    }

    [Fact]
    public void IssueServerCertificate_NeverOutlivesTheCa()
    {
        using var authority = EdgeCertificateAuthority.Create(_time);
        _time.Advance(TimeSpan.FromDays(3600));

        using var server = authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);

        Assert.Equal(authority.Certificate.NotAfter, server.NotAfter);
    }

    [Theory]
    [InlineData("has space.example")]
    [InlineData("-leading.example")]
    [InlineData("trailing-.example")]
    [InlineData("bücher.example")]
    [InlineData("a..example")]
    [InlineData("")]
    public void IssueServerCertificate_RefusesNamesThatAreNeitherDnsNorIp(string name)
    {
        using var authority = EdgeCertificateAuthority.Create(_time);

        var ex = Assert.Throws<ArgumentException>(() => authority.IssueServerCertificate([name], includeLoopback: true));

        Assert.Contains("neither a DNS name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IssueServerCertificate_NeedsAtLeastOneName()
    {
        using var authority = EdgeCertificateAuthority.Create(_time);

        Assert.Throws<ArgumentException>(() => authority.IssueServerCertificate([], includeLoopback: false));
    }

    [Fact]
    public async Task SaveThenLoad_GivesTheSameCaThatStillIssuesTrustedCertificates()
    {
        var certificatePath = _directory.Combine("ca.pem");
        var keyPath = _directory.Combine("ca-key.pem");
        using var created = EdgeCertificateAuthority.Create(_time);
        created.Save(certificatePath, keyPath);

        using var loaded = EdgeCertificateAuthority.Load(certificatePath, keyPath, TimeProvider.System);
        using var server = loaded.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        using var trust = CaTrust.FromPem(created.CertificatePem);

        Assert.Equal(created.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(keyPath), StringComparison.Ordinal);
        Assert.True(await TlsLoopback.HandshakeAsync(server, "edge.example.test", trust.ValidationCallback));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }
    }

    [Fact]
    public void LoadOrCreate_CreatesOnceThenLoadsTheSameCa()
    {
        var certificatePath = _directory.Combine("ca", "ca.pem");
        var keyPath = _directory.Combine("ca", "ca-key.pem");

        using var first = EdgeCertificateAuthority.LoadOrCreate(certificatePath, keyPath, _time);
        using var second = EdgeCertificateAuthority.LoadOrCreate(certificatePath, keyPath, _time);

        Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_RefusesToReplaceACaWhoseKeyIsMissing()
    {
        var certificatePath = _directory.Combine("ca.pem");
        var keyPath = _directory.Combine("ca-key.pem");
        using (EdgeCertificateAuthority.LoadOrCreate(certificatePath, keyPath, _time))
        {
        }

        File.Delete(keyPath);

        var ex = Assert.Throws<CertificateFileException>(() => EdgeCertificateAuthority.LoadOrCreate(certificatePath, keyPath, _time));
        Assert.Contains($"{certificatePath} exists but {keyPath} does not", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RefusesAServerCertificateAsCa()
    {
        using var authority = EdgeCertificateAuthority.Create(_time);
        using var server = authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        var certificatePath = _directory.Combine("server.pem");
        var keyPath = _directory.Combine("server-key.pem");
        CertificatePemFiles.Save(server, certificatePath, keyPath);

        var ex = Assert.Throws<CertificateFileException>(() => EdgeCertificateAuthority.Load(certificatePath, keyPath, _time));

        Assert.Contains("is not a CA certificate", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
