using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Drawbridge.Observability;

/// <summary>
/// The <c>--metrics IP:PORT</c> value of <c>edge run</c> and <c>tunnel run</c>: a literal IP
/// address (IPv6 in brackets) and a port, nothing else. A name is refused rather than resolved:
/// which interface a name would bind to depends on DNS at start-up, and metrics belong on a
/// known local address. Port 0 picks a free port (the log says which).
/// </summary>
internal static class MetricsAddress
{
    /// <summary>The longest IP:PORT is a bracketed IPv6 address with a scope and a port (about 55
    /// characters); anything longer is not an address, and is not echoed whole.</summary>
    public const int MaxLength = 64;

    public const string Example = "127.0.0.1:2000 or [::1]:2000";

    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endpoint, out string problem)
    {
        endpoint = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = $"expected IP:PORT such as {Example}";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"too long for IP:PORT (at most {MaxLength} characters), expected e.g. {Example}";
            return false;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            problem = $"give IP:PORT without a scheme, e.g. {Example}";
            return false;
        }

        int colon = text.LastIndexOf(':');
        if (colon < 0 || text.EndsWith(']'))
        {
            problem = $"no port: expected IP:PORT such as {Example}";
            return false;
        }

        string host = text[..colon];
        string port = text[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > IPEndPoint.MaxPort)
        {
            problem = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')
                ? "an IPv6 address goes in brackets, e.g. [::1]:2000"
                : $"the port must be a number from 0 to {IPEndPoint.MaxPort}";
            return false;
        }

        if (!TryParseHost(host, out IPAddress? address, out problem))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, number);
        problem = "";
        return true;
    }

    /// <summary>The value as an error message may show it: cut short when it is too long to be an address.</summary>
    public static string Shown(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");

    private static bool TryParseHost(string host, [NotNullWhen(true)] out IPAddress? address, out string problem)
    {
        problem = "";
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return true;
            }
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            address = null;
            problem = "an IPv6 address goes in brackets, e.g. [::1]:2000";
            return false;
        }
        else if (IPAddress.TryParse(host, out address) && address.AddressFamily == AddressFamily.InterNetwork
            && address.ToString() == host) // dotted quad only: not "127.1", "0x7f.1" or "2130706433"
        {
            return true;
        }

        address = null;
        problem = host.Any(char.IsAsciiLetter) && !host.StartsWith('[')
            ? "the address must be an IP address, not a name: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
            : $"'{Shown(host)}' is not an IP address; expected IP:PORT such as {Example}";
        return false;
    }
}
