using System.Net.Http.Json;
using System.Text.Json;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Client.Login;

/// <summary>The CLI's HTTPS calls to <c>https://&lt;hostname&gt;/_drawbridge/…</c> (token and device-code
/// endpoints), over the same path as its WebSockets: <c>--edge</c>, proxy, CA.</summary>
internal sealed class EdgeLoginClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly CaTrust? _trust;

    public EdgeLoginClient(AccessOptions options)
    {
        EdgeEndpoint endpoint = options.ResolveEdge();
        _trust = options.CaCertificatePem is { } pem ? CaTrust.FromPem(pem) : null;
        ProxySettings? proxy = options.Proxy is { } p && !p.Bypasses(endpoint.ConnectHost) ? p : null;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = (_, cancellationToken) => EdgeConnection.ConnectAsync(endpoint, proxy, TimeSpan.FromSeconds(10), cancellationToken),
        };
        if (_trust is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = _trust.ValidationCallback;
        }

        BaseUri = new UriBuilder("https", endpoint.Hostname, endpoint.Port).Uri;
        _http = new HttpClient(handler) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary><c>https://&lt;hostname&gt;[:port]/</c>: where the browser is sent, too.</summary>
    public Uri BaseUri { get; }

    /// <summary>POSTs a form; returns the JSON answer, success or OAuth error alike.</summary>
    public async Task<JsonElement> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(form);
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(path, content, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // The dial step already named what failed (DNS, TCP, proxy): keep its outcome and words.
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e is EdgeDialException dial)
                {
                    throw dial;
                }
            }

            throw new LoginException($"could not reach the edge at {BaseUri}: {ex.Message}", ex);
        }

        using (response)
        {
            try
            {
                return await response.Content.ReadFromJsonAsync(LoginJsonContext.Default.JsonElement, cancellationToken);
            }
            catch (JsonException)
            {
                throw new LoginException($"the edge answered HTTP {(int)response.StatusCode} without JSON at {path}: is {BaseUri.Host} a Drawbridge app?");
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _trust?.Dispose();
    }
}
