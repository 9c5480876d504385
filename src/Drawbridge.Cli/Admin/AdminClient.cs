using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Drawbridge.Cli.Hosting;
using Drawbridge.Edge.Admin;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Cli.Admin;

/// <summary>The CLI's side of the admin API, authenticated by the admin credential.</summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly CaTrust? _trust;

    private AdminClient(AdminCredential credential)
    {
        _trust = credential.CaCertificatePem is { } pem ? CaTrust.FromPem(pem) : null;
        var handler = new SocketsHttpHandler();
        if (_trust is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = _trust.ValidationCallback;
        }

        _http = new HttpClient(handler) { BaseAddress = new Uri(credential.EdgeUrl), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", credential.ApiToken);
        Credential = credential;
    }

    public AdminCredential Credential { get; }

    /// <summary>Reads the admin credential from <paramref name="path"/> (default: the user's config directory).</summary>
    public static AdminClient Open(string? path)
    {
        string file = path ?? UserPaths.AdminCredential;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException(
                $"no admin credential at {file}: run `drawbridge tunnel login --edge URL` (or `drawbridge edge init` on the edge, which writes one), or pass --admin-credential");
        }

        return new AdminClient(AdminCredential.Parse(CredentialFile.ReadOwnerOnly(file)));
    }

    /// <summary>A client for a credential not yet saved (<c>tunnel login</c> tries it first).</summary>
    public static AdminClient For(AdminCredential credential) => new(credential);

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, type, cancellationToken);

    public Task<T> PostAsync<T>(string path, HttpContent? body, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, type, cancellationToken);

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendRawAsync(HttpMethod.Delete, path, null, cancellationToken);
    }

    public static HttpContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendRawAsync(method, path, body, cancellationToken);
        return await response.Content.ReadFromJsonAsync(type, cancellationToken)
            ?? throw new AdminApiException((int)response.StatusCode, "the edge sent an empty answer");
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new AdminApiException(0, $"cannot reach the edge's admin API at {Credential.EdgeUrl}: {ex.Message}");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        string message = await ErrorMessageAsync(response, cancellationToken);
        response.Dispose();
        throw new AdminApiException((int)response.StatusCode, message);
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            ErrorBody? error = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.ErrorBody, cancellationToken);
            if (!string.IsNullOrEmpty(error?.Error))
            {
                return error.Error;
            }
        }
        catch (JsonException)
        {
            // not our JSON: fall back to the status
        }

        return $"the edge answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    public void Dispose()
    {
        _http.Dispose();
        _trust?.Dispose();
    }
}
