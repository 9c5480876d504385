using System.Collections;
using System.Text;
using Drawbridge.EndToEnd.Tests.Fixtures;
using Microsoft.Playwright;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A real headless Chromium (Debian's, at <see cref="ChromiumPath"/>) driven by Playwright,
/// with a fresh profile and home directory per fixture, so no cookie, certificate or cache
/// outlives the test. <see cref="Context"/> is that profile's browser context; open pages
/// with <see cref="NewPageAsync"/>, or a second, isolated user with <see cref="NewContextAsync"/>.
/// What the browser did (responses, failed requests, console, page errors) is in
/// <see cref="Output"/> for failure messages. Dispose closes Chromium and Playwright's driver.
/// </summary>
internal sealed class BrowserFixture : IAsyncDisposable
{
    /// <summary>Debian's <c>chromium</c> package; Playwright's own browser downloads are not used.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArguments =
    [
        // Tests run as root in CI, where Chromium's sandbox refuses to start.
        "--no-sandbox",
        // No GPU on the test machines.
        "--disable-gpu",
        // HTTP/3 is not what the edge serves; keep every connection on TCP.
        "--disable-quic",
        // No first-run UI, and no traffic but the test's own: the machines reach nothing
        // beyond loopback, so update, sync and background fetches would only fail slowly.
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // A proxy from the environment would swallow host names mapped to loopback.
        "--no-proxy-server",
    ];

    // A cold Chromium start on a loaded 2-core CI box takes a few seconds; this is generous.
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CertutilTimeout = TimeSpan.FromSeconds(30);

    private readonly IPlaywright playwright;
    private readonly TempDirectory home;
    private readonly Lock gate = new();
    private readonly StringBuilder log = new();
    private int disposed;

    private BrowserFixture(IPlaywright playwright, TempDirectory home, IBrowserContext context)
    {
        this.playwright = playwright;
        this.home = home;
        Context = context;
        Record(context);
    }

    /// <summary>The fresh profile's context: its cookies are this test's alone.</summary>
    public IBrowserContext Context { get; }

    /// <summary>Every response (redirects included), failed request, console message and page error, in order.</summary>
    public string Output
    {
        get
        {
            lock (gate)
            {
                return $"--- browser ---\n{log}";
            }
        }
    }

    /// <summary>Launches Chromium as <paramref name="options"/> say (default: trusts nothing extra).</summary>
    public static async Task<BrowserFixture> StartAsync(BrowserOptions? options = null)
    {
        options ??= new BrowserOptions();
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing. ./test.sh installs it (Debian package chromium).");
        }

        var home = TempDirectory.Create("drawbridge-browser-");
        IPlaywright? playwright = null;
        try
        {
            if (options.TrustedCaPem is not null)
            {
                await TrustCertificateAuthorityAsync(home, options.TrustedCaPem);
            }

            List<string> arguments = [.. ChromiumArguments];
            if (options.LoopbackHostnames.Count > 0)
            {
                arguments.Add("--host-resolver-rules=" + string.Join(
                    ", ", options.LoopbackHostnames.SelectMany(name => new[] { $"MAP {name} 127.0.0.1", $"MAP *.{name} 127.0.0.1" })));
            }

            playwright = await Playwright.CreateAsync();
            IBrowserContext context = await playwright.Chromium.LaunchPersistentContextAsync(
                home.Combine("profile"),
                new BrowserTypeLaunchPersistentContextOptions
                {
                    ExecutablePath = ChromiumPath,
                    Headless = true,
                    Args = arguments,
                    Env = BrowserEnvironment(home),
                    IgnoreHTTPSErrors = options.IgnoreHttpsErrors,
                    Timeout = (float)LaunchTimeout.TotalMilliseconds,
                });
            return new BrowserFixture(playwright, home, context);
        }
        catch
        {
            playwright?.Dispose();
            home.Dispose();
            throw;
        }
    }

    /// <summary>A new tab in <see cref="Context"/>.</summary>
    public Task<IPage> NewPageAsync() => Context.NewPageAsync();

    /// <summary>
    /// Another context in the same browser, sharing no cookies with <see cref="Context"/> (a
    /// second user), closed with the fixture. Pass <c>IgnoreHTTPSErrors = true</c> in
    /// <paramref name="options"/> to accept any certificate in it.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        IBrowser browser = Context.Browser
            ?? throw new InvalidOperationException("Playwright gave the persistent context no browser.");
        IBrowserContext context = await browser.NewContextAsync(options);
        Record(context);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            // Closing the persistent context closes Chromium (every context and page in it).
            await Context.CloseAsync().WaitAsync(CloseTimeout);
        }
        catch (Exception exception) when (exception is PlaywrightException or TimeoutException)
        {
            // Chromium crashed or hung; stopping the driver below takes it down with it.
        }
        finally
        {
            playwright.Dispose();
            home.Dispose();
        }
    }

    // Chromium on Linux trusts the CAs in $HOME/.pki/nssdb (besides its built-in roots), so
    // a fresh HOME with one imported CA means exactly that CA is added, for this browser only.
    private static async Task TrustCertificateAuthorityAsync(TempDirectory home, string caPem)
    {
        string databaseDirectory = Path.Combine(home.Path, ".pki", "nssdb");
        Directory.CreateDirectory(databaseDirectory);
        string database = "sql:" + databaseDirectory;
        string caPath = home.WriteFile("trusted-ca.pem", caPem);
        await RunCertutilAsync(["-N", "-d", database, "--empty-password"]);
        // "C,," = trusted to issue TLS server certificates (and nothing else).
        await RunCertutilAsync(["-A", "-d", database, "-n", "Drawbridge test CA", "-t", "C,,", "-i", caPath]);
    }

    private static async Task RunCertutilAsync(IEnumerable<string> arguments)
    {
        ProcessResult result = await ExternalProcess.RunAsync("certutil", arguments, CertutilTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"certutil failed:\n{result}");
        }
    }

    // The test's environment with HOME (and the XDG folders under it) in the fixture's own
    // directory: Chromium keeps its NSS database and caches there, not in the user's home.
    private static Dictionary<string, string> BrowserEnvironment(TempDirectory home)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            environment[(string)variable.Key] = (string?)variable.Value ?? string.Empty;
        }

        environment["HOME"] = home.Path;
        environment["XDG_CONFIG_HOME"] = home.Combine(".config");
        environment["XDG_CACHE_HOME"] = home.Combine(".cache");
        return environment;
    }

    private void Record(IBrowserContext context)
    {
        context.Response += (_, response) => Append($"{response.Status} {response.Request.Method} {response.Url}");
        context.RequestFailed += (_, request) => Append($"failed {request.Method} {request.Url}: {request.Failure}");
        context.Console += (_, message) => Append($"console.{message.Type}: {message.Text}");
        context.WebError += (_, error) => Append($"page error: {error.Error}");
    }

    private void Append(string line)
    {
        lock (gate)
        {
            log.AppendLine(line);
        }
    }
}
