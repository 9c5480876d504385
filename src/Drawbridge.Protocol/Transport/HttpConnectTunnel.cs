using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Drawbridge.Protocol.Outcomes;

namespace Drawbridge.Protocol.Transport;

/// <summary>HTTP CONNECT (RFC 9110 §9.3.6) through a proxy, with Basic credentials from the proxy URL.</summary>
internal static class HttpConnectTunnel
{
    /// <summary>Proxies answer CONNECT with a short header block; 16 KiB is generous.</summary>
    private const int MaxResponseBytes = 16 * 1024;

    private static readonly byte[] HttpVersionPrefix = "HTTP/"u8.ToArray();

    public static async Task OpenAsync(NetworkStream stream, Uri proxy, string host, int port, CancellationToken cancellationToken)
    {
        string authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        var request = new StringBuilder()
            .Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(authority).Append("\r\n");
        if (!string.IsNullOrEmpty(proxy.UserInfo))
        {
            string credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(proxy.UserInfo)));
            request.Append("Proxy-Authorization: Basic ").Append(credentials).Append("\r\n");
        }

        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);

        string head = await ReadHeadAsync(stream, proxy, cancellationToken);
        string statusLine = head.Split("\r\n", 2)[0];
        string[] parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw Failure(proxy, $"answered CONNECT with something that is not HTTP: '{Printable(statusLine)}'");
        }

        if (parts[1] != "200")
        {
            throw Failure(proxy, $"refused CONNECT to {authority}: {Printable(statusLine)}" +
                (parts[1] == "407" ? " (it wants credentials: put them in HTTPS_PROXY as http://user:password@host:port)" : ""),
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status) ? status : null);
        }
    }

    /// <summary>
    /// Reads up to the blank line byte by byte, so no tunnelled byte is consumed. An answer that
    /// does not start with "HTTP/" (a SOCKS or TLS port, say) fails at once instead of waiting
    /// for a blank line that never comes.
    /// </summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream, Uri proxy, CancellationToken cancellationToken)
    {
        var head = new List<byte>(256);
        byte[] one = new byte[1];
        while (head.Count < MaxResponseBytes)
        {
            int read = await stream.ReadAsync(one, cancellationToken);
            if (read == 0)
            {
                throw Failure(proxy, "closed the connection during CONNECT");
            }

            head.Add(one[0]);
            int n = head.Count;
            if (n == HttpVersionPrefix.Length && !head.SequenceEqual(HttpVersionPrefix))
            {
                throw Failure(proxy, $"answered CONNECT with something that is not HTTP: '{Printable(Encoding.ASCII.GetString(head.ToArray()))}'");
            }

            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
            {
                return Encoding.ASCII.GetString(head.ToArray());
            }
        }

        throw Failure(proxy, $"answered CONNECT with more than {MaxResponseBytes} bytes of headers");
    }

    private static EdgeDialException Failure(Uri proxy, string what, int? status = null) =>
        new(ConnectionOutcome.EdgeUnreachable, $"the proxy {proxy.Host}:{proxy.Port} {what}") { ProxyStatus = status };

    private static string Printable(string text) =>
        new(text.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
