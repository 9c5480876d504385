using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Drawbridge.Edge.Identity;

/// <summary>
/// The edge as an OpenID Connect relying party of one provider (OpenID Connect Core 1.0, code
/// flow with PKCE): discovery, the authorization URL, the code exchange, and the provider's
/// signing keys. The ID token itself is validated by the caller against <see cref="GetJwksAsync"/>.
/// </summary>
internal sealed class OidcProvider(IdentityProviderSettings settings, HttpClient http, TimeProvider time)
{
    /// <summary>Discovery documents and key sets are small; 1 MiB stops a hostile provider's flood.</summary>
    private const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Metadata is re-read hourly; keys on an unknown kid, at most every 5 minutes.</summary>
    private static readonly TimeSpan MetadataLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinJwksRefresh = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (OidcMetadata Metadata, DateTimeOffset Expires)? _metadata;
    private (string Json, DateTimeOffset FetchedAt)? _jwks;

    public IdentityProviderSettings Settings => settings;

    public async Task<OidcMetadata> GetMetadataAsync(CancellationToken cancellationToken)
    {
        if (_metadata is { } cached && cached.Expires > time.GetUtcNow())
        {
            return cached.Metadata;
        }

        string url = settings.Issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        string json = await FetchAsync(url, "discovery document", cancellationToken);
        OidcMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize(json, IdentityJsonContext.Default.OidcMetadata);
        }
        catch (JsonException ex)
        {
            throw new SignInException($"{settings.Id}: the discovery document at {url} is not valid JSON ({ex.Message})");
        }

        // OpenID Connect Discovery §4.3: the document must name exactly the issuer we asked.
        if (metadata is null || metadata.Issuer != settings.Issuer)
        {
            throw new SignInException($"{settings.Id}: the discovery document names issuer '{metadata?.Issuer}', not the configured '{settings.Issuer}'");
        }

        if (metadata.AuthorizationEndpoint is null || metadata.TokenEndpoint is null || metadata.JwksUri is null)
        {
            throw new SignInException($"{settings.Id}: the discovery document lacks authorization_endpoint, token_endpoint or jwks_uri");
        }

        if (metadata.CodeChallengeMethods is { } methods && !methods.Contains("S256"))
        {
            throw new SignInException($"{settings.Id}: the provider does not support PKCE with S256");
        }

        _metadata = (metadata, time.GetUtcNow() + MetadataLifetime);
        return metadata;
    }

    /// <summary>The provider's key set (JSON); <paramref name="refresh"/> re-fetches it (a new kid appeared), rate-limited.</summary>
    public async Task<string> GetJwksAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (_jwks is { } cached && (!refresh || time.GetUtcNow() - cached.FetchedAt < MinJwksRefresh))
        {
            return cached.Json;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            OidcMetadata metadata = await GetMetadataAsync(cancellationToken);
            string json = await FetchAsync(metadata.JwksUri!, "key set", cancellationToken);
            _jwks = (json, time.GetUtcNow());
            return json;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async Task<Uri> AuthorizationUrlAsync(Uri redirectUri, string state, string nonce, string codeChallenge, CancellationToken cancellationToken)
    {
        OidcMetadata metadata = await GetMetadataAsync(cancellationToken);
        IEnumerable<string> scopes = settings.Scopes.Contains("openid") ? settings.Scopes : ["openid", .. settings.Scopes];
        var query = new StringBuilder();
        Append(query, "response_type", "code");
        Append(query, "client_id", settings.ClientId);
        Append(query, "redirect_uri", redirectUri.ToString());
        Append(query, "scope", string.Join(' ', scopes));
        Append(query, "state", state);
        Append(query, "nonce", nonce);
        Append(query, "code_challenge", codeChallenge);
        Append(query, "code_challenge_method", "S256");
        var builder = new UriBuilder(metadata.AuthorizationEndpoint!);
        builder.Query = builder.Query.TrimStart('?') is { Length: > 0 } existing ? existing + "&" + query : query.ToString();
        return builder.Uri;
    }

    /// <summary>Trades the authorization code for tokens; returns the ID token (not yet validated).</summary>
    public async Task<string> ExchangeCodeAsync(string code, string codeVerifier, Uri redirectUri, CancellationToken cancellationToken)
    {
        OidcMetadata metadata = await GetMetadataAsync(cancellationToken);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
            ["code_verifier"] = codeVerifier,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, metadata.TokenEndpoint);
        bool basic = metadata.TokenEndpointAuthMethods is not { Count: > 0 } methods || methods.Contains("client_secret_basic");
        if (basic)
        {
            // RFC 6749 §2.3.1: form-encode id and secret before joining them.
            string pair = $"{Uri.EscapeDataString(settings.ClientId)}:{Uri.EscapeDataString(settings.ClientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form["client_id"] = settings.ClientId;
            form["client_secret"] = settings.ClientSecret;
        }

        request.Content = new FormUrlEncodedContent(form);
        using HttpResponseMessage response = await SendAsync(request, "token endpoint", cancellationToken);
        OidcTokenResponse? tokens;
        try
        {
            tokens = await response.Content.ReadFromJsonAsync(IdentityJsonContext.Default.OidcTokenResponse, cancellationToken);
        }
        catch (JsonException)
        {
            throw new SignInException($"{settings.Id}: the token endpoint answered HTTP {(int)response.StatusCode} with something that is not JSON");
        }

        if (!response.IsSuccessStatusCode || tokens?.IdToken is null)
        {
            throw new SignInException($"{settings.Id}: the token endpoint refused the code: {tokens?.Error ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)} {tokens?.ErrorDescription}".TrimEnd());
        }

        return tokens.IdToken;
    }

    private async Task<string> FetchAsync(string url, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using HttpResponseMessage response = await SendAsync(request, what, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SignInException($"{settings.Id}: fetching the {what} at {url} answered HTTP {(int)response.StatusCode}");
        }

        if (response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            throw new SignInException($"{settings.Id}: the {what} at {url} is larger than {MaxDocumentBytes} bytes");
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return body.Length > MaxDocumentBytes
            ? throw new SignInException($"{settings.Id}: the {what} at {url} is larger than {MaxDocumentBytes} bytes")
            : Encoding.UTF8.GetString(body);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new SignInException($"{settings.Id}: cannot reach the provider's {what} at {request.RequestUri}: {ex.Message}", ex);
        }
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
    }
}
