using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// Trusts exactly the certificate authorities of an edge's private CA (the one in a credential's
/// <c>caCertificate</c>), instead of the machine's trust store: the client and the connector
/// accept an edge certificate only when it chains to that CA and carries the name they dialed.
/// </summary>
public sealed class CaTrust : IDisposable
{
    /// <summary>id-kp-serverAuth (RFC 5280 §4.2.1.12): a client certificate is not a server's.</summary>
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly X509Certificate2Collection _authorities;

    private CaTrust(X509Certificate2Collection authorities) => _authorities = authorities;

    /// <summary>Parses one or more PEM certificates; throws <see cref="CredentialFormatException"/> when there are none.</summary>
    public static CaTrust FromPem(string caCertificatePem)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(caCertificatePem);
        }
        catch (CryptographicException ex)
        {
            throw new CredentialFormatException(
                $"The CA certificate is not valid PEM ({ex.Message}): expected text starting with -----BEGIN CERTIFICATE-----.", ex);
        }

        if (authorities.Count == 0)
        {
            throw new CredentialFormatException("The CA certificate holds no certificate: expected text starting with -----BEGIN CERTIFICATE-----.");
        }

        return new CaTrust(authorities);
    }

    /// <summary>
    /// For <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/> and
    /// <c>ClientWebSocketOptions.RemoteCertificateValidationCallback</c>.
    /// </summary>
    public RemoteCertificateValidationCallback ValidationCallback => (_, certificate, chain, errors) => Validate(certificate, chain, errors);

    /// <summary>
    /// Whether the edge's certificate is acceptable: SslStream found it and it matches the target
    /// host (<paramref name="errors"/> has neither <see cref="SslPolicyErrors.RemoteCertificateNotAvailable"/>
    /// nor <see cref="SslPolicyErrors.RemoteCertificateNameMismatch"/>), and it chains to one of our
    /// CAs for server authentication. SslStream's own chain errors are ignored on purpose: it
    /// judged the chain against the system store, which does not know our CA.
    /// </summary>
    public bool Validate(X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is null
            || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);

        // A private CA publishes no revocation lists; revoking a tunnel is done at the edge's store.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        AddIntermediates(chain, presentedChain);

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            if (!ReferenceEquals(leaf, certificate))
            {
                leaf.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var authority in _authorities)
        {
            authority.Dispose();
        }
    }

    /// <summary>Intermediates the edge sent may be needed to reach our root; they earn no trust by being sent.</summary>
    private static void AddIntermediates(X509Chain chain, X509Chain? presentedChain)
    {
        if (presentedChain is null)
        {
            return;
        }

        foreach (var element in presentedChain.ChainElements)
        {
            chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
    }
}
