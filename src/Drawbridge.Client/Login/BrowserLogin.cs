using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Client.Login;

/// <summary>
/// Sign-in in the browser for a native app (RFC 8252): a one-shot listener on a loopback port
/// receives the code; PKCE binds the code to this process and the state to this attempt.
/// </summary>
internal static class BrowserLogin
{
    private const int MaxRequestBytes = 16 * 1024;

    /// <summary>How long the person has to finish signing in.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<CachedToken> RunAsync(EdgeLoginClient edge, string hostname, Func<string, bool> openBrowser, Action<string> tell, TimeProvider time, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        string redirect = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/callback";
        string verifier = SecretHash.ToBase64Url(RandomNumberGenerator.GetBytes(32));
        string challenge = SecretHash.ToBase64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        string state = SecretHash.ToBase64Url(RandomNumberGenerator.GetBytes(16));
        string url = new Uri(edge.BaseUri, "/_drawbridge/cli/authorize").ToString() +
            $"?app={Uri.EscapeDataString(hostname)}&redirect_uri={Uri.EscapeDataString(redirect)}" +
            $"&code_challenge={challenge}&code_challenge_method=S256&state={state}";
        if (!openBrowser(url))
        {
            throw new LoginException("no browser could be opened");
        }

        tell($"Opened your browser to sign in to {hostname}. If it did not open, visit:\n  {url}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        Dictionary<string, string> result;
        try
        {
            result = await ReceiveCallbackAsync(listener, state, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LoginException($"sign-in for {hostname} was not finished within {Timeout.TotalMinutes:0} minutes");
        }

        if (result.TryGetValue("error", out string? error))
        {
            throw new LoginException($"sign-in for {hostname} was refused: {error}: {result.GetValueOrDefault("error_description")}");
        }

        JsonElement answer = await edge.PostFormAsync("/_drawbridge/cli/token",
            [new("grant_type", "authorization_code"), new("code", result.GetValueOrDefault("code") ?? ""), new("code_verifier", verifier), new("redirect_uri", redirect)],
            cancellationToken);
        if (TokenAnswer.Token(answer, time) is { } token)
        {
            return token;
        }

        var (code, description) = TokenAnswer.Error(answer);
        throw new LoginException($"sign-in for {hostname} failed: {code}: {description}");
    }

    /// <summary>Answers requests until one to /callback carries our state (a browser may also ask for /favicon.ico).</summary>
    private static async Task<Dictionary<string, string>> ReceiveCallbackAsync(Socket listener, string state, CancellationToken cancellationToken)
    {
        while (true)
        {
            using Socket client = await listener.AcceptAsync(cancellationToken);
            string? target = await ReadRequestTargetAsync(client, cancellationToken);
            if (target is null || !target.StartsWith("/callback?", StringComparison.Ordinal))
            {
                await RespondAsync(client, "404 Not Found", "Not found.", cancellationToken);
                continue;
            }

            Dictionary<string, string> query = ParseQuery(target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..]);
            if (query.GetValueOrDefault("state") != state)
            {
                await RespondAsync(client, "400 Bad Request", "This sign-in answer does not belong to the waiting command (state mismatch). Start the sign-in again.", cancellationToken);
                continue;
            }

            await RespondAsync(client, "200 OK", query.ContainsKey("error") ? "Sign-in was refused; see your terminal." : "Signed in. You can close this window and go back to your terminal.", cancellationToken);
            return query;
        }
    }

    private static async Task<string?> ReadRequestTargetAsync(Socket client, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxRequestBytes];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await client.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
            if (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        string head = Encoding.ASCII.GetString(buffer, 0, filled);
        string[] requestLine = head.Split("\r\n", 2)[0].Split(' ');
        return requestLine.Length == 3 && requestLine[0] == "GET" ? requestLine[1] : null;
    }

    private static async Task RespondAsync(Socket client, string status, string message, CancellationToken cancellationToken)
    {
        string body = $"<!doctype html><meta charset=\"utf-8\"><title>Drawbridge</title><p style=\"font-family:sans-serif\">{WebUtility.HtmlEncode(message)}</p>";
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        string head = $"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await client.SendAsync(bytes, cancellationToken);
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            string value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            result.TryAdd(name, value);
        }

        return result;
    }
}
