namespace Drawbridge.Client.Login;

/// <summary>
/// The token for a hostname: the cached one while valid, else a sign-in (browser, or the device
/// flow when no browser can be opened or <c>--no-browser</c>), one at a time per hostname.
/// </summary>
internal sealed class AppLogin(AccessOptions options, TokenCache cache, TextWriter messages, TimeProvider time)
{
    public bool NoBrowser { get; init; }

    /// <summary>Shows the device-flow instructions (URL, code, and a QR code where the CLI can draw one).</summary>
    public Action<string, string, string>? ShowDeviceCode { get; init; }

    public Func<string, bool> OpenBrowser { get; init; } = BrowserLauncher.TryOpen;

    public async Task<CachedToken> GetTokenAsync(bool forceSignIn, CancellationToken cancellationToken)
    {
        string hostname = options.Hostname;
        if (!forceSignIn && cache.Load(hostname) is { } cached)
        {
            return cached;
        }

        await using FileStream held = await LoginLock.AcquireAsync(cache.LockPath(hostname),
            () => messages.WriteLine($"drawbridge: waiting for another sign-in to {hostname} to finish..."), time, cancellationToken);

        // Another process may have signed in while we waited for the lock.
        if (!forceSignIn && cache.Load(hostname) is { } fresh)
        {
            return fresh;
        }

        using var edge = new EdgeLoginClient(options);
        CachedToken token = NoBrowser
            ? await RunDeviceAsync(edge, hostname, cancellationToken)
            : await RunBrowserOrDeviceAsync(edge, hostname, cancellationToken);
        cache.Save(hostname, token);
        await messages.WriteLineAsync($"drawbridge: signed in to {hostname}{(token.Email is null ? "" : " as " + token.Email)} until {token.ExpiresAt:u}");
        return token;
    }

    private async Task<CachedToken> RunBrowserOrDeviceAsync(EdgeLoginClient edge, string hostname, CancellationToken cancellationToken)
    {
        try
        {
            return await BrowserLogin.RunAsync(edge, hostname, OpenBrowser, text => messages.WriteLine("drawbridge: " + text), time, cancellationToken);
        }
        catch (LoginException ex) when (ex.Message == "no browser could be opened")
        {
            await messages.WriteLineAsync("drawbridge: no browser could be opened here; signing in with a code instead.");
            return await RunDeviceAsync(edge, hostname, cancellationToken);
        }
    }

    private Task<CachedToken> RunDeviceAsync(EdgeLoginClient edge, string hostname, CancellationToken cancellationToken) =>
        DeviceLogin.RunAsync(edge, hostname, ShowDeviceCode ?? DefaultShow, time, cancellationToken);

    private void DefaultShow(string url, string code, string complete) =>
        messages.WriteLine($"drawbridge: to sign in to {options.Hostname}, visit {url} and enter the code {code}\n  (or open {complete})");
}
