using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Certificates;

/// <summary>
/// The edge's own certificate authority, for installs without a publicly trusted certificate
/// (<c>quickstart</c>, <c>edge init</c> without <c>--cert</c>). Credentials carry its certificate,
/// so clients and connectors trust exactly it (see <see cref="CaTrust"/>), not the whole web.
/// </summary>
internal sealed class EdgeCertificateAuthority : IDisposable
{
    /// <summary>Ten years: the CA is baked into every credential handed out, so it should outlive them.</summary>
    private static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    /// <summary>One year: the edge re-issues its own server certificate at start-up, so short is cheap.</summary>
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(365);

    /// <summary>Back-dating absorbs clock skew between the edge and its clients.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromHours(1);

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly ECDsa _key;
    private readonly TimeProvider _time;

    private EdgeCertificateAuthority(X509Certificate2 certificate, ECDsa key, TimeProvider time)
    {
        Certificate = certificate;
        _key = key;
        _time = time;
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM, as it goes into credentials' <c>caCertificate</c>.</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>A new CA: ECDSA P-256, CN "Drawbridge local CA &lt;8 hex&gt;", may sign end-entity certificates only.</summary>
    public static EdgeCertificateAuthority Create(TimeProvider time)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // The short id tells apart the CAs of different installs in a trust store or a browser.
        var shortId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName("Drawbridge");
        name.AddCommonName($"Drawbridge local CA {shortId}");

        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);

        // Path length 0: this CA signs the edge's server certificates and never another CA.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var now = time.GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now - ClockSkew, now + AuthorityLifetime);
        var publicOnly = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
        return new EdgeCertificateAuthority(publicOnly, key, time);
    }

    /// <summary>Loads a CA saved by <see cref="Save"/>; throws <see cref="CertificateFileException"/> on bad files.</summary>
    public static EdgeCertificateAuthority Load(string certificatePath, string keyPath, TimeProvider time)
    {
        var certificates = CertificatePemFiles.ReadCertificates(certificatePath);
        var certificate = certificates[0];
        var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (basic is not { CertificateAuthority: true })
        {
            throw new CertificateFileException(
                $"The certificate in {certificatePath} is not a CA certificate: pass the CA made by `drawbridge edge init`, or a server certificate with --cert/--key instead.");
        }

        var key = CertificatePemFiles.ReadPrivateKey(keyPath, certificate, certificatePath) as ECDsa
            ?? throw new CertificateFileException($"The CA key in {keyPath} is not an ECDSA key: only CAs made by `drawbridge edge init` can be loaded.");
        return new EdgeCertificateAuthority(certificate, key, time);
    }

    /// <summary>
    /// Loads the CA at these paths, or creates and saves one when neither file exists. One file
    /// without the other is an error: silently making a new CA would break every credential.
    /// </summary>
    public static EdgeCertificateAuthority LoadOrCreate(string certificatePath, string keyPath, TimeProvider time)
    {
        var haveCertificate = File.Exists(certificatePath);
        var haveKey = File.Exists(keyPath);
        if (haveCertificate && haveKey)
        {
            return Load(certificatePath, keyPath, time);
        }

        if (haveCertificate || haveKey)
        {
            var (present, missing) = haveCertificate ? (certificatePath, keyPath) : (keyPath, certificatePath);
            throw new CertificateFileException(
                $"{present} exists but {missing} does not: restore the missing file, or delete both to make a new CA (existing credentials will stop working).");
        }

        var authority = Create(time);
        authority.Save(certificatePath, keyPath);
        return authority;
    }

    /// <summary>Writes the certificate as PEM and the key as PKCS#8 PEM with mode 0600.</summary>
    public void Save(string certificatePath, string keyPath)
    {
        CredentialFile.WriteOwnerOnly(keyPath, CertificatePemFiles.WithFinalNewline(_key.ExportPkcs8PrivateKeyPem()));
        CertificatePemFiles.WriteCertificate(certificatePath, CertificatePem);
    }

    /// <summary>
    /// Issues a server certificate (ECDSA P-256, serverAuth, one year, never past the CA) for
    /// <paramref name="names"/>: DNS names (a leading <c>*.</c> wildcard allowed) and IP literals.
    /// With <paramref name="includeLoopback"/>, also localhost, 127.0.0.1 and ::1. The result
    /// carries its private key and can be given to Kestrel or SslStream as it is.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> names, bool includeLoopback)
    {
        var (dnsNames, addresses) = SortNames(names, includeLoopback);
        var san = new SubjectAlternativeNameBuilder();
        dnsNames.ForEach(san.AddDnsName);
        addresses.ForEach(san.AddIpAddress);

        // CN is informational (clients match the SAN); X.520 caps it at 64 characters.
        var commonName = dnsNames.FirstOrDefault(n => n.Length <= 64) ?? "Drawbridge edge";
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("Drawbridge");
        subject.AddCommonName(commonName);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var now = _time.GetUtcNow();
        var notAfter = Min(now + ServerLifetime, Certificate.NotAfter.ToUniversalTime());
        var notBefore = Max(now - ClockSkew, Certificate.NotBefore.ToUniversalTime());

        // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unique per CA; 127 random bits.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;

        using var issued = request.Create(
            Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, notAfter, serial);
        return CertificatePemFiles.AttachKey(issued, key);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private static (List<string> DnsNames, List<IPAddress> Addresses) SortNames(IEnumerable<string> names, bool includeLoopback)
    {
        var dnsNames = new List<string>();
        var addresses = new List<IPAddress>();
        foreach (var raw in names)
        {
            var name = raw.Trim();
            if (IPAddress.TryParse(name, out var address))
            {
                addresses.Add(address);
            }
            else if (IsCertificateDnsName(name))
            {
                dnsNames.Add(name.ToLowerInvariant());
            }
            else
            {
                throw new ArgumentException(
                    $"\"{raw}\" is neither a DNS name (ASCII labels of letters, digits and '-', optionally starting with \"*.\") nor an IP address.",
                    nameof(names));
            }
        }

        if (includeLoopback)
        {
            dnsNames.Add("localhost");
            addresses.Add(IPAddress.Loopback);
            addresses.Add(IPAddress.IPv6Loopback);
        }

        if (dnsNames.Count == 0 && addresses.Count == 0)
        {
            throw new ArgumentException("A server certificate needs at least one DNS name or IP address.", nameof(names));
        }

        return (dnsNames.Distinct(StringComparer.Ordinal).ToList(), addresses.Distinct().ToList());
    }

    private static bool IsCertificateDnsName(string name)
    {
        var host = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a < b ? a : new DateTimeOffset(b, TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTime b) => a > b ? a : new DateTimeOffset(b, TimeSpan.Zero);
}
