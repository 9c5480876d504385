using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A throwaway CA shaped like the edge's own (ECDSA P-256, may sign server certificates only),
/// for proving <see cref="BrowserFixture"/>'s CA trust without an edge.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    // Back-dated so a few seconds of skew between this process and Chromium cannot matter.
    private static readonly TimeSpan BackDating = TimeSpan.FromHours(1);

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private readonly ECDsa key;

    private TestCertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        this.key = key;
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public static TestCertificateAuthority Create(string commonName = "Drawbridge smoke-test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        X509Certificate2 certificate = request.CreateSelfSigned(now - BackDating, now + Lifetime);
        return new TestCertificateAuthority(certificate, key);
    }

    /// <summary>A server certificate (with its private key) for <paramref name="hostname"/>, signed by this CA.</summary>
    public X509Certificate2 IssueServerCertificate(string hostname)
    {
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostname}", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        DateTimeOffset now = DateTimeOffset.UtcNow;
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using X509Certificate2 issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now - BackDating, now + Lifetime, serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(serverKey);
        // A PKCS#12 round trip gives a certificate whose key outlives serverKey's disposal.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A certificate for <paramref name="hostname"/> that signs itself: no CA vouches for it.</summary>
    public static X509Certificate2 CreateSelfSigned(string hostname)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now - BackDating, now + Lifetime);
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
