using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Certificates;

/// <summary>
/// Certificates and private keys in PEM files: the operator's own pair (<c>--cert</c>/<c>--key</c>)
/// and the files of our local CA. Every failure is a <see cref="CertificateFileException"/>
/// that names the file and says what to do.
/// </summary>
internal static class CertificatePemFiles
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";

    /// <summary>
    /// Loads a server certificate (leaf first, then any intermediates) and its private key
    /// (PKCS#8, PKCS#1 RSA or SEC1 EC; unencrypted), ready for Kestrel.
    /// </summary>
    public static EdgeServerCertificate LoadServerCertificate(string certificatePath, string keyPath)
    {
        var certificates = ReadCertificates(certificatePath);
        var leaf = certificates[0];
        using var key = ReadPrivateKey(keyPath, leaf, certificatePath);
        var withKey = AttachKey(leaf, key);

        var chain = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++)
        {
            chain.Add(certificates[i]);
        }

        leaf.Dispose();
        return new EdgeServerCertificate(withKey, chain);
    }

    /// <summary>Writes a certificate (world-readable, it is public) and its key (mode 0600) as PEM.</summary>
    public static void Save(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        using AsymmetricAlgorithm key = certificate.GetECDsaPrivateKey()
            ?? (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no ECDSA or RSA private key to save.", nameof(certificate));
        CredentialFile.WriteOwnerOnly(keyPath, WithFinalNewline(key.ExportPkcs8PrivateKeyPem()));
        WriteCertificate(certificatePath, certificate.ExportCertificatePem());
    }

    public static void WriteCertificate(string path, string pem)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        File.WriteAllText(path, WithFinalNewline(pem));
    }

    /// <summary>
    /// PEM files end in a newline, as openssl writes them: `cat cert.pem ca.pem > fullchain.pem`
    /// must give two certificates, not one broken line where the END and BEGIN lines meet.
    /// </summary>
    public static string WithFinalNewline(string pem) => pem.EndsWith('\n') ? pem : pem + "\n";

    /// <summary>All PEM certificates in a file, in order; at least one.</summary>
    public static X509Certificate2Collection ReadCertificates(string path)
    {
        var text = ReadText(path, "certificate");
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateFileException($"The certificate file {path} holds a malformed certificate: {ex.Message}.", ex);
        }

        if (certificates.Count == 0)
        {
            var hint = text.Contains("PRIVATE KEY-----", StringComparison.Ordinal)
                ? " It holds a private key: are --cert and --key swapped?"
                : "";
            throw new CertificateFileException(
                $"The certificate file {path} holds no certificate: expected PEM text starting with -----BEGIN CERTIFICATE-----.{hint}");
        }

        return certificates;
    }

    /// <summary>The private key in <paramref name="keyPath"/>, checked to be the one of <paramref name="certificate"/>.</summary>
    public static AsymmetricAlgorithm ReadPrivateKey(string keyPath, X509Certificate2 certificate, string certificatePath)
    {
        var text = ReadText(keyPath, "private key");
        if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new CertificateFileException(
                $"The private key file {keyPath} is encrypted: decrypt it (`openssl pkey -in {keyPath} -out key.pem`) and keep that file owner-only.");
        }

        AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() switch
        {
            EcPublicKeyOid => ECDsa.Create(),
            RsaPublicKeyOid => RSA.Create(),
            var other => throw new CertificateFileException(
                $"The certificate {certificatePath} has a key of type {other}: only ECDSA and RSA certificates are supported."),
        };

        try
        {
            key.ImportFromPem(text);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CertificateFileException(
                $"The private key file {keyPath} holds no usable {Describe(certificate)} private key ({ex.Message}): "
                + "expected an unencrypted PEM key (-----BEGIN PRIVATE KEY-----) for that certificate.",
                ex);
        }

        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new CertificateFileException(
                $"The private key in {keyPath} does not belong to the certificate in {certificatePath}: pass the key that was made with that certificate.");
        }

        return key;
    }

    /// <summary>
    /// The certificate with its key, re-imported through PKCS#12 so the key is a persisted one
    /// that SslStream (and so Kestrel) can use on every platform, not only an ephemeral handle.
    /// </summary>
    public static X509Certificate2 AttachKey(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        using var combined = key switch
        {
            ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            _ => throw new ArgumentException($"Unsupported key type {key.GetType().Name}.", nameof(key)),
        };
        return X509CertificateLoader.LoadPkcs12(combined.Export(X509ContentType.Pkcs12), password: null, X509KeyStorageFlags.Exportable);
    }

    private static string Describe(X509Certificate2 certificate) =>
        certificate.GetKeyAlgorithm() == EcPublicKeyOid ? "ECDSA" : "RSA";

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CertificateFileException($"The {what} file {path} does not exist: check the path.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CertificateFileException($"The {what} file {path} cannot be read by this user: check its owner and mode.", ex);
        }
    }
}
