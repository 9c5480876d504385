using System.Text.Json;

namespace Drawbridge.Client.Login;

/// <summary>
/// Sign-in without a browser here (RFC 8628): show a URL and a code (and a QR code) for any other
/// device, then poll at the interval the edge asks for, slowing down when told to.
/// </summary>
internal static class DeviceLogin
{
    public static async Task<CachedToken> RunAsync(EdgeLoginClient edge, string hostname, Action<string, string, string> show, TimeProvider time, CancellationToken cancellationToken)
    {
        JsonElement start = await edge.PostFormAsync("/_drawbridge/device/code", [new("app", hostname)], cancellationToken);
        if (!start.TryGetProperty("device_code", out JsonElement deviceCode))
        {
            var (error, description) = TokenAnswer.Error(start);
            throw new LoginException($"the edge refused to start a sign-in: {error}: {description}");
        }

        show(start.GetProperty("verification_uri").GetString()!, start.GetProperty("user_code").GetString()!, start.GetProperty("verification_uri_complete").GetString()!);
        TimeSpan interval = TimeSpan.FromSeconds(Math.Clamp(start.GetProperty("interval").GetInt32(), 1, 60));
        DateTimeOffset deadline = time.GetUtcNow().AddSeconds(start.GetProperty("expires_in").GetInt32());
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(interval, time, cancellationToken); // RFC 8628 §3.5: the edge sets the pace
            JsonElement answer = await edge.PostFormAsync("/_drawbridge/cli/token",
                [new("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), new("device_code", deviceCode.GetString()!)], cancellationToken);
            if (TokenAnswer.Token(answer, time) is { } token)
            {
                return token;
            }

            var (error, description) = TokenAnswer.Error(answer);
            switch (error)
            {
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval += TimeSpan.FromSeconds(5);
                    continue;
                default:
                    throw new LoginException($"sign-in for {hostname} failed: {error}: {description}");
            }
        }

        throw new LoginException($"sign-in for {hostname} timed out: the code was not approved within its lifetime");
    }
}
