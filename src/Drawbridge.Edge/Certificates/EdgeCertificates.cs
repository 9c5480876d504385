using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Drawbridge.Edge.Storage;

namespace Drawbridge.Edge.Certificates;

/// <summary>
/// Picks the certificate for each TLS handshake by SNI. With an operator's certificate
/// (<c>--cert/--key</c>) that one serves every name. With the edge's own CA, every valid DNS
/// name gets a leaf certificate issued on first use and cached, so routes added at run time
/// need no restart, and a user who mistypes a hostname is told "no route" over HTTP rather
/// than failing TLS. Names the edge serves stay cached; other names share a bounded cache, so
/// a scanner sending random SNIs costs at most one key generation per name and bounded memory.
/// </summary>
internal sealed class EdgeCertificates : IDisposable
{
    private readonly EdgeCertificateAuthority? _ca;
    private readonly X509Certificate2 _default;
    private readonly Func<string, bool> _serves;
    /// <summary>Room for names the edge does not serve before they are evicted: plenty for typos, bounded for scanners.</summary>
    private const int MaxUnservedNames = 1024;

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
        if (_ca is null || string.IsNullOrEmpty(serverName) || !RouteHostname.TryNormalize(serverName, out string name, out _))
        {
            return _default;
        }

        if (!_serves(name) && _issued.Count >= MaxUnservedNames && !_issued.ContainsKey(name))
        {
            EvictUnserved();
        }

        return _issued.GetOrAdd(name, n => new Lazy<X509Certificate2>(() => _ca.IssueServerCertificate([n], includeLoopback: false))).Value;
    }

    /// <summary>Drops the cached certificates of names the edge does not serve (they are re-issued if asked again).</summary>
    private void EvictUnserved()
    {
        foreach (string name in _issued.Keys)
        {
            if (!_serves(name))
            {
                _issued.TryRemove(name, out _);
            }
        }
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
