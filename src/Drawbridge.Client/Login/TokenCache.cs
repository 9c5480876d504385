using System.Text.Json;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Client.Login;

/// <summary>
/// App tokens per hostname under the user's config directory (<c>tokens/&lt;hostname&gt;.json</c>),
/// owner-only like every credential file. A token within a minute of expiry counts as expired,
/// so a connection never starts with a token that dies during its handshake.
/// </summary>
internal sealed class TokenCache(string directory, TimeProvider time)
{
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(1);

    public string Directory => directory;

    public CachedToken? Load(string hostname)
    {
        string path = PathOf(hostname);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(CredentialFile.ReadOwnerOnly(path));
            JsonElement root = document.RootElement;
            var token = new CachedToken(
                root.GetProperty("token").GetString() ?? "",
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("expiresAt").GetInt64()),
                root.TryGetProperty("email", out JsonElement email) ? email.GetString() : null);
            return token.ExpiresAt - ExpiryMargin > time.GetUtcNow() && token.Token.Length > 0 ? token : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null; // a damaged cache file means "sign in again", never a crash
        }
    }

    public void Save(string hostname, CachedToken token)
    {
        string json = JsonSerializer.Serialize(
            new TokenCacheFile(token.Token, token.ExpiresAt.ToUnixTimeSeconds(), token.Email),
            LoginJsonContext.Default.TokenCacheFile);
        CredentialFile.WriteOwnerOnly(PathOf(hostname), json);
    }

    /// <summary>Forgets one hostname's token, or every token when <paramref name="hostname"/> is null; returns how many.</summary>
    public int Delete(string? hostname)
    {
        if (hostname is not null)
        {
            string path = PathOf(hostname);
            bool existed = File.Exists(path);
            File.Delete(path);
            return existed ? 1 : 0;
        }

        if (!System.IO.Directory.Exists(directory))
        {
            return 0;
        }

        string[] files = System.IO.Directory.GetFiles(directory, "*.json");
        foreach (string file in files)
        {
            File.Delete(file);
        }

        return files.Length;
    }

    public string LockPath(string hostname) => Path.Combine(directory, Safe(hostname) + ".lock");

    private string PathOf(string hostname) => Path.Combine(directory, Safe(hostname) + ".json");

    /// <summary>Hostnames are validated DNS names, but the file name must never escape the directory.</summary>
    private static string Safe(string hostname) =>
        new([.. hostname.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')]);
}
