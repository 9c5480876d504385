using System.Net;
using System.Text.RegularExpressions;
using Drawbridge.Edge.Identity;
using Drawbridge.EndToEnd.Tests.Harness;

namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>The one-time PIN by e-mail through a real SMTP server process: the code arrives, works
/// once, and guessing stops after five wrong tries.</summary>
public sealed partial class PinSignInTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task EmailedPin_SignsTheUserInOnce()
    {
        await using SmtpServerFixture smtp = await SmtpServerFixture.StartAsync();
        await using DrawbridgeStack stack = await StartAsync(smtp);
        using var browser = new EdgeBrowser(stack);

        using (HttpResponseMessage sent = await browser.PostFormAsync("/_drawbridge/login/pin", ("email", "carol@example.com"), ("return", "/_drawbridge/signed-in")))
        {
            Assert.Contains("a 6-digit code is on its way", await sent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        ReceivedMail mail = await smtp.WaitForMessageAsync(m => m.To.Contains("carol@example.com"), Limit);
        string code = CodePattern().Match(mail.Subject).Groups[1].Value;
        Assert.Contains(code, mail.Body, StringComparison.Ordinal);
        Assert.Contains("expires in 10 minutes", mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Logs.Lines, l => l.Contains(code, StringComparison.Ordinal)); // a real sender never logs the code

        using (HttpResponseMessage page = await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", "carol@example.com"), ("code", code), ("return", "/_drawbridge/signed-in")))
        {
            Assert.Contains("You are signed in as carol@example.com", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Cookie session = Assert.Single(browser.Cookies.GetCookies(browser.Http.BaseAddress!), c => c.Name == SessionCookie.Name);
        Assert.True(session.Secure && session.HttpOnly);
        using var again = new EdgeBrowser(stack);
        using HttpResponseMessage replay = await again.PostFormAsync("/_drawbridge/login/pin/verify", ("email", "carol@example.com"), ("code", code), ("return", "/"));
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task GuessingPastFiveTries_VoidsTheCode()
    {
        await using SmtpServerFixture smtp = await SmtpServerFixture.StartAsync();
        await using DrawbridgeStack stack = await StartAsync(smtp);
        using var browser = new EdgeBrowser(stack);
        using (await browser.PostFormAsync("/_drawbridge/login/pin", ("email", "dave@example.com"), ("return", "/")))
        {
        }

        ReceivedMail mail = await smtp.WaitForMessageAsync(m => m.To.Contains("dave@example.com"), Limit);
        string code = CodePattern().Match(mail.Subject).Groups[1].Value;
        string wrong = code == "000000" ? "111111" : "000000";
        string last = "";
        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage guess = await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", "dave@example.com"), ("code", wrong), ("return", "/"));
            last = await guess.Content.ReadAsStringAsync();
        }

        using HttpResponseMessage right = await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", "dave@example.com"), ("code", code), ("return", "/"));

        Assert.Contains("Too many wrong codes", last, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        var audit = await stack.Edge.State.Store.ListAuditAsync(null, "dave@example.com", null, "sign_in", 20, CancellationToken.None);
        Assert.Contains(audit, e => e.Outcome == "refused: toomanytries");
    }

    private static Task<DrawbridgeStack> StartAsync(SmtpServerFixture smtp) =>
        DrawbridgeStack.StartAsync(configure: settings => settings with
        {
            Smtp = new SmtpSettings { Host = smtp.Host, Port = smtp.Port, Security = "none", From = "drawbridge@edge.test" },
        });

    [GeneratedRegex("code: ([0-9]{6})")]
    private static partial Regex CodePattern();
}
