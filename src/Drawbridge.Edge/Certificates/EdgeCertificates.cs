using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Drawbridge.Edge.Certificates;

/// <summary>
/// Picks the certificate for each TLS handshake by SNI. With an operator's certificate
/// (<c>--cert/--key</c>) that one serves every name. With the edge's own CA, each name the edge
/// serves (its own hostname and every routed app hostname) gets a leaf certificate issued on
/// first use and cached, so routes added at run time need no restart. Names the edge does not
/// serve get the edge's own certificate: no key generation for whatever SNI a scanner sends.
/// </summary>
internal sealed class EdgeCertificates : IDisposable
{
    private readonly EdgeCertificateAuthority? _ca;
    private readonly X509Certificate2 _default;
    private readonly Func<string, bool> _serves;
    private readonly ConcurrentDictionary<string, Lazy<X509Certificate2>> _issued = new(StringComparer.OrdinalIgnoreCase);

    private EdgeCertificates(EdgeCertificateAuthority? ca, X509Certificate2 defaultCertificate, Func<string, bool> serves)
    {
        _ca = ca;
        _default = defaultCertificate;
        _serves = serves;
    }

    public static EdgeCertificates FromAuthority(EdgeCertificateAuthority ca, string edgeHostname, Func<string, bool> serves)
    {
        X509Certificate2 edge = ca.IssueServerCertificate([edgeHostname], includeLoopback: true);
        return new EdgeCertificates(ca, edge, serves);
    }

    public static EdgeCertificates FromOperator(X509Certificate2 certificate) => new(null, certificate, _ => false);

    /// <summary>PEM of the CA that clients must trust, when the edge is its own CA.</summary>
    public string? CaCertificatePem => _ca?.CertificatePem;

    public X509Certificate2 Select(string? serverName)
    {
        if (_ca is null || string.IsNullOrEmpty(serverName) || !_serves(serverName))
        {
            return _default;
        }

        return _issued.GetOrAdd(serverName, name => new Lazy<X509Certificate2>(() => _ca.IssueServerCertificate([name], includeLoopback: false))).Value;
    }

    public void Dispose()
    {
        foreach (Lazy<X509Certificate2> issued in _issued.Values)
        {
            if (issued.IsValueCreated)
            {
                issued.Value.Dispose();
            }
        }

        _default.Dispose();
        _ca?.Dispose();
    }
}
