using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drawbridge.Edge.Certificates;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Edge.Certificates;

/// <summary>The operator's own pair (<c>--cert</c>/<c>--key</c>): what loads, and what each bad file says.</summary>
public sealed class CertificatePemFilesTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create();
    private readonly EdgeCertificateAuthority _authority = EdgeCertificateAuthority.Create(TimeProvider.System);

    [Fact]
    public async Task LoadServerCertificate_GivesACertificateThatServesTls()
    {
        var (certificatePath, keyPath) = SaveServerPair();

        var loaded = CertificatePemFiles.LoadServerCertificate(certificatePath, keyPath);
        using var trust = CaTrust.FromPem(_authority.CertificatePem);

        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Empty(loaded.Chain);
        Assert.True(await TlsLoopback.HandshakeAsync(loaded.Certificate, "edge.example.test", trust.ValidationCallback));
    }

    [Fact]
    public void LoadServerCertificate_KeepsTheIntermediatesOfAFullChainFile()
    {
        var (certificatePath, keyPath) = SaveServerPair();
        File.AppendAllText(certificatePath, _authority.CertificatePem);

        var loaded = CertificatePemFiles.LoadServerCertificate(certificatePath, keyPath);

        Assert.Equal(_authority.Certificate.Thumbprint, Assert.Single(loaded.Chain).Thumbprint);
        Assert.NotEqual(_authority.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
    }

    [Fact]
    public async Task LoadServerCertificate_TakesAnRsaPairWithAPkcs1Key()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=rsa.example.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("rsa.example.test");
        request.CertificateExtensions.Add(san.Build());
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePath = Write("rsa.pem", selfSigned.ExportCertificatePem());
        var keyPath = Write("rsa-key.pem", rsa.ExportRSAPrivateKeyPem());

        var loaded = CertificatePemFiles.LoadServerCertificate(certificatePath, keyPath);
        using var trust = CaTrust.FromPem(selfSigned.ExportCertificatePem());

        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.True(await TlsLoopback.HandshakeAsync(loaded.Certificate, "rsa.example.test", trust.ValidationCallback));
    }

    [Fact]
    public void LoadServerCertificate_TakesAnSec1EcKey()
    {
        var (certificatePath, keyPath) = SaveServerPair();
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        File.WriteAllText(keyPath, key.ExportECPrivateKeyPem());

        Assert.True(CertificatePemFiles.LoadServerCertificate(certificatePath, keyPath).Certificate.HasPrivateKey);
    }

    [Fact]
    public void MissingCertificateFile_SaysSo()
    {
        var (_, keyPath) = SaveServerPair();
        var missing = _directory.Combine("nope.pem");

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(missing, keyPath));

        Assert.Equal($"The certificate file {missing} does not exist: check the path.", ex.Message);
    }

    [Fact]
    public void MissingKeyFile_SaysSo()
    {
        var (certificatePath, _) = SaveServerPair();
        var missing = _directory.Combine("nope-key.pem");

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(certificatePath, missing));

        Assert.Equal($"The private key file {missing} does not exist: check the path.", ex.Message);
    }

    [Fact]
    public void CertificateFileWithoutPem_SaysWhatIsExpected()
    {
        var (_, keyPath) = SaveServerPair();
        var junk = Write("junk.pem", "hello, I am not a certificate");

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(junk, keyPath));

        Assert.Contains("holds no certificate: expected PEM text starting with -----BEGIN CERTIFICATE-----", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptCertificatePem_IsAClearError()
    {
        var (_, keyPath) = SaveServerPair();
        var corrupt = Write("corrupt.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(corrupt, keyPath));

        Assert.Contains("holds a malformed certificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SwappedCertificateAndKey_GetAHint()
    {
        var (certificatePath, keyPath) = SaveServerPair();

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(keyPath, certificatePath));

        Assert.Contains("are --cert and --key swapped?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyOfAnotherCertificate_IsAMismatch()
    {
        var (certificatePath, _) = SaveServerPair();
        var (_, otherKeyPath) = SaveServerPair("other");

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(certificatePath, otherKeyPath));

        Assert.Contains($"The private key in {otherKeyPath} does not belong to the certificate in {certificatePath}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyOfTheWrongAlgorithm_IsRefused()
    {
        var (certificatePath, _) = SaveServerPair();
        using var rsa = RSA.Create(2048);
        var rsaKey = Write("rsa-key.pem", rsa.ExportPkcs8PrivateKeyPem());

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(certificatePath, rsaKey));

        Assert.Contains("holds no usable ECDSA private key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncryptedKey_SaysHowToDecryptIt()
    {
        var (certificatePath, keyPath) = SaveServerPair();
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem(
            "password", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        File.WriteAllText(keyPath, encrypted);

        var ex = Assert.Throws<CertificateFileException>(() => CertificatePemFiles.LoadServerCertificate(certificatePath, keyPath));

        Assert.Contains("is encrypted: decrypt it (`openssl pkey", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _authority.Dispose();
        _directory.Dispose();
    }

    private (string CertificatePath, string KeyPath) SaveServerPair(string name = "server")
    {
        using var server = _authority.IssueServerCertificate(["edge.example.test"], includeLoopback: false);
        var certificatePath = _directory.Combine($"{name}.pem");
        var keyPath = _directory.Combine($"{name}-key.pem");
        CertificatePemFiles.Save(server, certificatePath, keyPath);
        return (certificatePath, keyPath);
    }

    private string Write(string name, string contents)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, contents);
        return path;
    }
}
