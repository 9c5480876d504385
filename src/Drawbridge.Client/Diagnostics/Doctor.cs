using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Drawbridge.Client.Forwarding;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Multiplexing;
using Drawbridge.Protocol.Outcomes;
using Drawbridge.Protocol.Relaying;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Diagnostics;

/// <summary>One step of <c>drawbridge doctor</c>: what was checked, whether it passed, and what to do if not.</summary>
internal sealed record DoctorStep(string Name, bool Passed, string Detail, string? Advice = null);

/// <summary>
/// <c>drawbridge doctor</c>: the path from this machine to an app, one layer at a time — name
/// resolution, TCP to port 443 (or the proxy), the proxy's CONNECT, TLS trust, clock skew, and a
/// test connection — stopping at the first that fails, with what to do about it (USERS.md: the
/// "websocket: bad handshake" class of errors names no layer at all).
/// </summary>
internal sealed class Doctor(AccessOptions options, TimeProvider time)
{
    /// <summary>App tokens allow this much skew (TokenValidationParameters.DefaultClockSkew): beyond it sign-ins fail.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    public async IAsyncEnumerable<DoctorStep> RunAsync(bool testConnection, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EdgeEndpoint endpoint = options.ResolveEdge();
        ProxySettings? proxy = options.Proxy is { } p && !p.Bypasses(endpoint.ConnectHost) ? p : null;
        string firstHop = proxy?.ProxyUri.Host ?? endpoint.ConnectHost;
        int firstPort = proxy?.ProxyUri.Port ?? endpoint.ConnectPort;

        DoctorStep step = await ResolveAsync(firstHop, proxy is not null, cancellationToken);
        yield return step;
        if (!step.Passed)
        {
            yield break;
        }

        step = await ReachAsync(firstHop, firstPort, proxy is not null, cancellationToken);
        yield return step;
        if (!step.Passed)
        {
            yield break;
        }

        if (proxy is not null)
        {
            step = await ProxyAsync(endpoint, proxy, cancellationToken);
            yield return step;
            if (!step.Passed)
            {
                yield break;
            }
        }

        (step, DateTimeOffset? edgeTime) = await TlsAndClockAsync(endpoint, proxy, cancellationToken);
        yield return step;
        if (!step.Passed)
        {
            yield break;
        }

        step = Clock(edgeTime);
        yield return step;
        if (!step.Passed || !testConnection)
        {
            yield break;
        }

        yield return await ConnectAsync(cancellationToken);
    }

    /// <summary>Resolves the first hop: the edge, or the proxy (which resolves the edge's name itself).</summary>
    private static async Task<DoctorStep> ResolveAsync(string host, bool isProxy, CancellationToken cancellationToken)
    {
        const string name = "name resolution";
        string what = isProxy ? $"the proxy {host}" : host;
        if (IPAddress.TryParse(host, out _))
        {
            return new DoctorStep(name, true, $"{what} is an address");
        }

        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).WaitAsync(StepTimeout, cancellationToken);
            return addresses.Length == 0
                ? new DoctorStep(name, false, $"{what} has no address", "check the name and DNS")
                : new DoctorStep(name, true, $"{what} is {string.Join(", ", addresses.Take(4).Select(a => a.ToString()))}");
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return new DoctorStep(name, false, $"cannot resolve {what}: {ex.Message}", isProxy
                ? "check the proxy's address in HTTPS_PROXY (or https_proxy, ALL_PROXY) and this machine's DNS"
                : "check the name and this machine's DNS (or /etc/hosts); with a private edge, pass --edge HOST:PORT");
        }
    }

    private static async Task<DoctorStep> ReachAsync(string host, int port, bool isProxy, CancellationToken cancellationToken)
    {
        string name = isProxy ? "TCP to the proxy" : $"TCP to port {port}";
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StepTimeout);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(host, port), timeout.Token);
            return new DoctorStep(name, true, $"connected to {host}:{port} ({socket.RemoteEndPoint})");
        }
        catch (SocketException ex)
        {
            return new DoctorStep(name, false, $"{host}:{port}: {ex.SocketErrorCode}: {ex.Message}", ex.SocketErrorCode == SocketError.ConnectionRefused
                ? $"nothing listens on {host}:{port}: is the {(isProxy ? "proxy" : "edge")} running there?"
                : "a firewall may block outbound TCP to this port; ask for egress to it, or set HTTPS_PROXY to your proxy");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DoctorStep(name, false, $"no answer from {host}:{port} within {StepTimeout.TotalSeconds:0} s",
                "outbound TCP to this port is probably dropped by a firewall: ask for egress to it, or set HTTPS_PROXY to your proxy");
        }
    }

    private static async Task<DoctorStep> ProxyAsync(EdgeEndpoint endpoint, ProxySettings proxy, CancellationToken cancellationToken)
    {
        const string name = "proxy";
        try
        {
            await using Stream _ = await EdgeConnection.ConnectAsync(endpoint, proxy, StepTimeout, cancellationToken);
            return new DoctorStep(name, true, $"{proxy.ProxyUri.Host}:{proxy.ProxyUri.Port} opened a tunnel (CONNECT) to {endpoint.ConnectHost}:{endpoint.ConnectPort}");
        }
        catch (EdgeDialException ex) when (ex.ProxyStatus == 407)
        {
            return new DoctorStep(name, false, ex.Message, "put your proxy credentials in HTTPS_PROXY as http://user:password@host:port");
        }
        catch (EdgeDialException ex) when (ex.ProxyStatus is not null)
        {
            return new DoctorStep(name, false, ex.Message,
                $"ask the proxy's administrator to allow CONNECT to port {endpoint.ConnectPort} of {endpoint.ConnectHost} (the edge), " +
                $"or, if this machine reaches the edge directly, set NO_PROXY={endpoint.ConnectHost}");
        }
        catch (Exception ex) when (ex is EdgeDialException or IOException)
        {
            return new DoctorStep(name, false, ex.Message, "the proxy did not complete the CONNECT: is HTTPS_PROXY the address of an HTTP proxy (not SOCKS), and can the proxy reach the edge?");
        }
    }

    private async Task<(DoctorStep Step, DateTimeOffset? EdgeTime)> TlsAndClockAsync(EdgeEndpoint endpoint, ProxySettings? proxy, CancellationToken cancellationToken)
    {
        const string name = "TLS trust";
        using CaTrust? trust = options.CaCertificatePem is { } pem ? CaTrust.FromPem(pem) : null;
        SslPolicyErrors errors = SslPolicyErrors.None;
        X509Certificate2? presented = null;
        try
        {
            Stream tcp = await EdgeConnection.ConnectAsync(endpoint, proxy, StepTimeout, cancellationToken);
            await using var tls = new SslStream(tcp, leaveInnerStreamOpen: false, (sender, certificate, chain, policyErrors) =>
            {
                errors = policyErrors;
                presented = certificate is null ? null : new X509Certificate2(certificate);
                return trust?.Validate(certificate, chain, policyErrors) ?? policyErrors == SslPolicyErrors.None;
            });
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StepTimeout);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Hostname,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, timeout.Token);
            string certificate = presented is null ? "" : $": {presented.Subject}, issued by {presented.Issuer}, valid until {presented.NotAfter.ToUniversalTime():yyyy-MM-dd}";
            DateTimeOffset? edgeTime = await ReadDateAsync(tls, endpoint, timeout.Token);
            return (new DoctorStep(name, true, $"{endpoint.Hostname} presented a trusted certificate ({tls.SslProtocol}){certificate}"), edgeTime);
        }
        catch (AuthenticationException ex)
        {
            string detail = presented is null ? ex.Message : $"{presented.Subject}, issued by {presented.Issuer}: {errors}";
            string advice = errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
                ? $"the certificate does not name {endpoint.Hostname}: check the hostname, or give the edge a certificate for it"
                : options.CaCertificatePem is null
                    ? "a self-signed edge needs its CA: pass --ca-cert ca.pem (from the edge's data directory); behind a TLS-inspecting proxy, add its CA to the system's trust store"
                    : "the certificate is not from the CA given with --ca-cert: is it the right edge's ca.pem?";
            return (new DoctorStep(name, false, detail, advice), null);
        }
        catch (Exception ex) when (ex is EdgeDialException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (new DoctorStep(name, false, $"the TLS handshake did not complete: {ex.Message}",
                "something on the way answers on this port but not with TLS (a captive portal or a proxy?); try HTTPS_PROXY, or another network"), null);
        }
        finally
        {
            presented?.Dispose();
        }
    }

    /// <summary>One HTTP/1.1 request for the edge's Date header (any path answers; Kestrel dates every response).</summary>
    private static async Task<DateTimeOffset?> ReadDateAsync(Stream tls, EdgeEndpoint endpoint, CancellationToken cancellationToken)
    {
        byte[] request = System.Text.Encoding.ASCII.GetBytes($"GET /ready HTTP/1.1\r\nHost: {endpoint.Hostname}\r\nConnection: close\r\n\r\n");
        await tls.WriteAsync(request, cancellationToken);
        byte[] buffer = new byte[8192];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await tls.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (System.Text.Encoding.ASCII.GetString(buffer, 0, total).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                break;
            }
        }

        foreach (string line in System.Text.Encoding.ASCII.GetString(buffer, 0, total).Split("\r\n"))
        {
            if (line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase) &&
                DateTimeOffset.TryParse(line[5..].Trim(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset date))
            {
                return date;
            }
        }

        return null;
    }

    private DoctorStep Clock(DateTimeOffset? edgeTime)
    {
        const string name = "clock skew";
        if (edgeTime is null)
        {
            return new DoctorStep(name, true, "the edge sent no Date header; not checked");
        }

        TimeSpan skew = time.GetUtcNow() - edgeTime.Value;
        string detail = $"this machine's clock is {Math.Abs(skew.TotalSeconds):0} s {(skew >= TimeSpan.Zero ? "ahead of" : "behind")} the edge's";
        return skew.Duration() <= MaxSkew
            ? new DoctorStep(name, true, detail)
            : new DoctorStep(name, false, detail, $"sign-in tokens allow {MaxSkew.TotalSeconds:0} s: set the clock right (NTP, e.g. `timedatectl set-ntp true`)");
    }

    private async Task<DoctorStep> ConnectAsync(CancellationToken cancellationToken)
    {
        string name = $"test connection to {options.Hostname}";
        using var dialer = new AccessDialer(options);
        try
        {
            await using DuplexStream stream = await dialer.OpenAsync(cancellationToken);
            if (stream is not MuxStream link)
            {
                await ((WebSocketDuplexStream)stream).CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "drawbridge doctor", cancellationToken);
                return new DoctorStep(name, true, "the edge accepted the connection and handed it to a connector");
            }

            // On the client's link (SPEC.md §8) the edge passes the connector's ACK on: the service was reached.
            if (await link.Acknowledged.WaitAsync(StepTimeout, cancellationToken))
            {
                await link.CompleteWritesAsync(cancellationToken);
                return new DoctorStep(name, true, "the edge accepted the connection and the connector reached the service");
            }

            ConnectionOutcome outcome = link.ResetReason is { } reset ? ConnectionOutcomes.FromMuxError(reset.Code) : ConnectionOutcome.LinkLost;
            return new DoctorStep(name, false, $"{outcome.WireName()}: {link.ResetReason?.Reason ?? "the link ended"}", outcome.Advice(options.Hostname));
        }
        catch (TimeoutException)
        {
            return new DoctorStep(name, false, $"no answer within {StepTimeout.TotalSeconds:0} s", ConnectionOutcome.OriginTimeout.Advice(options.Hostname));
        }
        catch (EdgeDialException ex)
        {
            return new DoctorStep(name, false, $"{ex.Outcome.WireName()}: {ex.Message}", ex.Outcome.Advice(options.Hostname));
        }
    }
}
