using System.Net;

namespace Drawbridge.Connector.Ingress;

/// <summary>Where a rule sends its streams: a TCP origin, or refusal (the catch-all's usual service).</summary>
internal sealed record IngressService(string? Host, int Port)
{
    public static IngressService Reject { get; } = new(null, 0);

    public bool IsReject => Host is null;

    /// <summary>
    /// Where to dial: an IP literal as an <see cref="IPEndPoint"/>, so a connection to it goes
    /// straight to connect (a <see cref="DnsEndPoint"/> costs a resolver task and a multi-address
    /// attempt per connection even for "127.0.0.1"); a name is resolved on each dial, so a DNS
    /// change is followed. Null for <see cref="Reject"/>.
    /// </summary>
    public EndPoint? EndPoint { get; } = Host is null ? null
        : IPAddress.TryParse(Host, out IPAddress? address) ? new IPEndPoint(address, Port)
        : new DnsEndPoint(Host, Port);

    /// <summary>Parses <c>tcp://host:port</c> (also <c>ssh://</c>, <c>rdp://</c>… with their default ports) or <c>reject</c> / <c>http_status:404</c>.</summary>
    public static IngressService Parse(string text)
    {
        string value = text.Trim();
        if (value is "reject" || value.StartsWith("http_status:", StringComparison.Ordinal))
        {
            return Reject;
        }

        string shown = Shown(value);
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"service '{shown}' is not a URL like tcp://localhost:5432 (or 'reject')");
        }

        if (uri.IdnHost.Length > MaxHostLength)
        {
            throw new FormatException($"service '{shown}' has a host of {uri.IdnHost.Length} characters; a DNS name has at most {MaxHostLength}");
        }

        int defaultPort = uri.Scheme switch
        {
            "ssh" => 22,
            "rdp" => 3389,
            "smb" => 445,
            "redis" => 6379,
            "postgres" or "postgresql" => 5432,
            "mysql" => 3306,
            "tcp" => -1,
            _ => throw new FormatException($"service '{shown}' has scheme '{uri.Scheme}'; use tcp:// (or ssh://, rdp://, smb://, redis://, postgres://, mysql://)"),
        };
        int port = uri.IsDefaultPort || uri.Port < 0 ? defaultPort : uri.Port;
        if (port is < 1 or > 65535)
        {
            throw new FormatException($"service '{shown}' needs a port from 1 to 65535, e.g. tcp://localhost:5432");
        }

        if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new FormatException($"service '{shown}' has a path, query, fragment or user name; a TCP service is just host and port");
        }

        return new IngressService(uri.IdnHost, port);
    }

    /// <summary>RFC 1035 §2.3.4: a DNS name has at most 253 characters in text form.</summary>
    private const int MaxHostLength = 253;

    /// <summary>Echo enough of a bad value to recognise it, never a whole hostile input nor a control character.</summary>
    private static string Shown(string value)
    {
        string head = value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 97), "...");
        return string.Concat(head.Select(c => char.IsControl(c) ? '?' : c));
    }

    public override string ToString() => IsReject ? "reject" : $"tcp://{(Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
