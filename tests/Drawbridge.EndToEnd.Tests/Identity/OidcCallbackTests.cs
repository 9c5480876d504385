using System.Net;
using Drawbridge.Edge.Identity;
using Drawbridge.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// The OpenID Connect callback with a real provider: someone starts a sign-in at the edge, signs in
/// at the provider in Chromium, and keeps the provider's redirect back to the edge (the browser
/// cannot resolve the edge's name, so the redirect fails and only its URL is left). That link opened
/// by another browser (login CSRF) or with its state altered makes no session, and the audit says
/// why; opened by the one who started the sign-in, it does work, so the refusals are about the state.
/// </summary>
public sealed class OidcCallbackTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task ACallbackOpenedInAnotherBrowser_OrWithAnAlteredState_IsRefused_ButWorksWhereItStarted()
    {
        await using OidcProviderFixture provider = await OidcProviderFixture.StartAsync();
        await using DrawbridgeStack stack = await DrawbridgeStack.StartAsync(configure: settings => settings with
        {
            IdentityProviders = [provider.AsIdentityProvider()],
        });
        await provider.SetRedirectUrisAsync(stack.Edge.Runtime.Settings.PublicUrl + SignInEndpoints.CallbackPath);

        // 1. The sign-in starts at the edge (its state cookie lands in this client's jar)...
        using var starter = new EdgeBrowser(stack, followRedirects: false);
        using HttpResponseMessage start = await starter.Http.GetAsync(SignInEndpoints.LoginPath + "/oidc/testidp");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        System.Net.Cookie stateCookie = Assert.Single(starter.Cookies.GetAllCookies(), c => c.Name == SignInStateCookie.Name);

        // 2. ... and goes on at the provider in Chromium, which cannot reach edge.test: the redirect back is kept, not followed.
        await using BrowserFixture browser = await BrowserFixture.StartAsync();
        IPage page = await browser.NewPageAsync();
        var callback = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Request += (_, request) =>
        {
            if (request.Url.Contains(SignInEndpoints.CallbackPath, StringComparison.Ordinal))
            {
                callback.TrySetResult(request.Url);
            }
        };
        await page.GotoAsync(start.Headers.Location!.ToString());
        await provider.SignInAsync(page, OidcAccount.Bob);
        string link = await callback.Task.WaitAsync(Limit);
        Assert.Contains("code=", link, StringComparison.Ordinal);

        // 3. Another browser opens the link: refused, no session.
        using (var other = new EdgeBrowser(stack, followRedirects: false))
        {
            using HttpResponseMessage refused = await other.Http.GetAsync(link);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("not started in this browser", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(other.Cookies.GetAllCookies(), c => c.Name == SessionCookie.Name);
        }

        await stack.Logs.WaitForAsync(l => l.Contains("refused: state mismatch", StringComparison.Ordinal), Limit);

        // 4. The starter's own cookie with the state altered in the link: refused, no session.
        using (var tamperer = new EdgeBrowser(stack, followRedirects: false))
        {
            tamperer.Cookies.Add(stateCookie);
            using HttpResponseMessage tampered = await tamperer.Http.GetAsync(link.Replace("state=", "state=x", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
            Assert.DoesNotContain(tamperer.Cookies.GetAllCookies(), c => c.Name == SessionCookie.Name);
        }

        // 5. The one who started it: signed in.
        using HttpResponseMessage completed = await starter.Http.GetAsync(link);
        Assert.True(completed.StatusCode == HttpStatusCode.Redirect, await completed.Content.ReadAsStringAsync());
        Assert.Contains(starter.Cookies.GetAllCookies(), c => c.Name == SessionCookie.Name);
        await stack.Logs.WaitForAsync(l => l.Contains("Sign-in by bob@example.com with testidp", StringComparison.Ordinal), Limit);

        // 6. And only once: the same link again, even from the same browser, is refused.
        using HttpResponseMessage replayed = await starter.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
    }
}
