using System.Security.Cryptography.X509Certificates;

namespace Drawbridge.Edge.Certificates;

/// <summary>
/// The edge's TLS identity as Kestrel takes it: <c>ServerCertificate</c> (with its private key)
/// and <c>ServerCertificateChain</c> (the intermediates that followed it in the PEM file, e.g.
/// a Let's Encrypt <c>fullchain.pem</c>; empty for our own CA).
/// </summary>
internal sealed record EdgeServerCertificate(X509Certificate2 Certificate, X509Certificate2Collection Chain);
