using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.EndToEnd.Tests.Harness;

/// <summary>
/// An HTTP client that talks to the edge's own host the way a browser (cookies, redirects) or the
/// CLI (form posts, JSON) does, trusting the edge's CA and dialing its loopback address while
/// using its public name.
/// </summary>
internal sealed class EdgeBrowser : IDisposable
{
    private readonly CaTrust _trust;

    public EdgeBrowser(DrawbridgeStack stack, bool followRedirects = true)
        : this(stack.CaPem, stack.Edge.Port, new Uri(stack.Edge.Runtime.Settings.PublicUrl), followRedirects)
    {
    }

    /// <summary>For an edge in another process: its CA, its loopback port and its public URL.</summary>
    public EdgeBrowser(string caPem, int port, Uri publicUrl, bool followRedirects = true)
    {
        _trust = CaTrust.FromPem(caPem);
        var handler = new SocketsHttpHandler
        {
            CookieContainer = Cookies,
            AllowAutoRedirect = followRedirects,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = _trust.ValidationCallback;
        Http = new HttpClient(handler) { BaseAddress = publicUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http { get; }

    public async Task<HttpResponseMessage> PostFormAsync(string path, params (string Name, string Value)[] fields)
    {
        using var content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return await Http.PostAsync(path, content);
    }

    public async Task<JsonElement> PostFormForJsonAsync(string path, params (string Name, string Value)[] fields)
    {
        using HttpResponseMessage response = await PostFormAsync(path, fields);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public void Dispose()
    {
        Http.Dispose();
        _trust.Dispose();
    }
}
