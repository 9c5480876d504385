using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>A person's sign-in as the device flow does it: the CLI's device code, a PIN sign-in in the
/// "browser" (the code read from the edge's development log), approval, and the token endpoint's answer.</summary>
internal static partial class DeviceSignIn
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The CLI asks for a device code; the person signs in by PIN in the "browser" and approves; the CLI redeems.</summary>
    public static async Task<JsonElement> ApproveAsync(DrawbridgeStack stack, EdgeBrowser browser, string email, string app)
    {
        JsonElement device = await browser.PostFormForJsonAsync("/_drawbridge/device/code", ("app", app));
        string userCode = device.GetProperty("user_code").GetString()!;
        string deviceCode = device.GetProperty("device_code").GetString()!;
        string devicePage = "/_drawbridge/device?user_code=" + userCode;

        using (HttpResponseMessage sent = await browser.PostFormAsync("/_drawbridge/login/pin", ("email", email), ("return", devicePage)))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        string logLine = await stack.Logs.WaitForAsync(l => l.Contains($"sign-in code for {email} is", StringComparison.Ordinal), Limit);
        string pin = PinPattern().Match(logLine).Groups[1].Value;
        using (HttpResponseMessage page = await browser.PostFormAsync("/_drawbridge/login/pin/verify", ("email", email), ("code", pin), ("return", devicePage)))
        {
            string html = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == HttpStatusCode.OK, html);
            Assert.Contains("Confirm the device", html, StringComparison.Ordinal);
        }

        using (HttpResponseMessage approved = await browser.PostFormAsync("/_drawbridge/device", ("user_code", userCode), ("decision", "approve")))
        {
            Assert.Contains("Device approved", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        return await browser.PostFormForJsonAsync("/_drawbridge/cli/token", ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode));
    }

    [GeneratedRegex("is ([0-9]{6})")]
    private static partial Regex PinPattern();
}
