using System.Net.Security;

namespace Drawbridge.Protocol.Transport;

/// <summary>
/// The TLS cipher suites the edge accepts, in its order of preference (the server's order
/// decides). OpenSSL's default order starts with AES-256-GCM; AES-128-GCM (TLS 1.3's mandatory
/// suite, and the first choice of Go's TLS stack, hence of cloudflared) is as safe for this use
/// and does 10 AES rounds instead of 14: the bulk cipher was about a fifth of the edge's CPU in
/// a T1 profile, and the client and connector at the other ends of both legs save the same.
/// </summary>
public static class TlsCipherPreference
{
    /// <summary>The policy for the edge's <see cref="SslServerAuthenticationOptions"/>; null where
    /// the platform cannot take one (CipherSuitesPolicy exists on Linux and FreeBSD only).</summary>
    public static CipherSuitesPolicy? Preferred { get; } = OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD()
        ? new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            // TLS 1.2, for an edge behind something that speaks no TLS 1.3:
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ])
        : null;
}
