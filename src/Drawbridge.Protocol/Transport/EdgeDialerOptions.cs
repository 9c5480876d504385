namespace Drawbridge.Protocol.Transport;

/// <summary>How to dial the edge.</summary>
public sealed record EdgeDialerOptions
{
    /// <summary>PEM of the CA that signed a self-signed edge's certificate; null = the system's roots.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>HTTP CONNECT proxy; null = dial directly.</summary>
    public ProxySettings? Proxy { get; init; }

    /// <summary>Ask for WebSockets over HTTP/2 first (RFC 8441), falling back to HTTP/1.1.</summary>
    public bool PreferHttp2 { get; init; } = true;

    /// <summary>TCP (and proxy CONNECT) time limit. 10 s: long enough for a slow mobile link,
    /// short enough that a blocked port 443 is reported while the user still waits.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
