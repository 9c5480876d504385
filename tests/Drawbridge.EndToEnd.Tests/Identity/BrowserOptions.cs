namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>How <see cref="BrowserFixture"/> sets up Chromium. The defaults trust nothing extra.</summary>
internal sealed record BrowserOptions
{
    /// <summary>
    /// A CA certificate (PEM) the browser trusts for HTTPS, such as the edge's own CA
    /// (<c>DrawbridgeStack.CaPem</c>): imported into the fresh profile's NSS database, so
    /// certificate checks stay on (the host name must match the certificate). Default none.
    /// </summary>
    public string? TrustedCaPem { get; init; }

    /// <summary>
    /// Host names Chromium resolves to 127.0.0.1 (each also covers its subdomains), so a
    /// test can browse <c>https://edge.test:port/</c> and the certificate's name matches.
    /// Default none.
    /// </summary>
    public IReadOnlyList<string> LoopbackHostnames { get; init; } = [];

    /// <summary>
    /// Accept any certificate in the default context (Playwright's <c>IgnoreHTTPSErrors</c>).
    /// Prefer <see cref="TrustedCaPem"/>, which keeps the name and chain checks. Default false.
    /// </summary>
    public bool IgnoreHttpsErrors { get; init; }
}
