using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// RFC 8252 §7.3: a native app's redirect URI is <c>http://</c> on a loopback IP literal, any port.
/// Anything else — another host, https to a name, userinfo, a fragment — would let the code leave
/// the user's machine, so it is refused.
/// </summary>
internal static class LoopbackRedirect
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? uri, out string problem)
    {
        uri = null;
        if (string.IsNullOrEmpty(value) || value.Length > 2048)
        {
            problem = "redirect_uri is missing or too long";
            return false;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? parsed) || parsed.Scheme != Uri.UriSchemeHttp)
        {
            problem = "redirect_uri must be http://127.0.0.1:PORT/… (a loopback address, RFC 8252)";
            return false;
        }

        if (!IPAddress.TryParse(parsed.Host.Trim('[', ']'), out IPAddress? address) || !IPAddress.IsLoopback(address))
        {
            problem = $"redirect_uri host '{parsed.Host}' is not a loopback IP address; only 127.0.0.1 or [::1] may receive the code";
            return false;
        }

        if (parsed.UserInfo.Length > 0 || parsed.Fragment.Length > 0)
        {
            problem = "redirect_uri must not carry user info or a fragment";
            return false;
        }

        uri = parsed;
        problem = "";
        return true;
    }
}
