using System.Text.Json;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Edge.Hosting;

/// <summary>What <c>edge init</c> decided and <c>edge run</c> reads back: the edge's public name and port.</summary>
/// <remarks>A public port of 0 means "whatever port <c>edge run</c> listens on" (quickstart, tests).</remarks>
internal sealed record EdgeSettings(string Hostname, int PublicPort)
{
    /// <summary>The URL connectors and the CLI use to reach this edge.</summary>
    public string PublicUrl => PublicPort == 443 ? $"https://{Hostname}" : $"https://{Hostname}:{PublicPort}";

    /// <summary>OpenID Connect providers users may sign in with (issue 3); none = the e-mailed PIN only.</summary>
    public IReadOnlyList<Identity.IdentityProviderSettings> IdentityProviders { get; init; } = [];

    /// <summary>Where PINs are e-mailed from; null = shown in the edge's log (a development setting).</summary>
    public Identity.SmtpSettings? Smtp { get; init; }

    /// <summary>
    /// The store when <c>edge run</c> is given no <c>--store</c>: a PostgreSQL URL or connection string
    /// (see <see cref="Storage.StoreLocation"/>; it may hold a password, which is why this file is
    /// owner-only); null = SQLite in the data directory.
    /// </summary>
    public string? Store { get; init; }

    public static EdgeSettings Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new CredentialFormatException($"{path} does not exist: run `drawbridge edge init` first");
        }

        try
        {
            var settings = JsonSerializer.Deserialize(json, EdgeSettingsJsonContext.Default.EdgeSettings);
            if (settings is null || string.IsNullOrWhiteSpace(settings.Hostname) || settings.PublicPort is < 0 or > 65535)
            {
                throw new CredentialFormatException($"{path}: needs \"hostname\" and a \"publicPort\" from 0 (the listening port) to 65535");
            }

            return settings;
        }
        catch (JsonException ex)
        {
            throw new CredentialFormatException($"{path} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Owner-only: the file may hold identity providers' client secrets, the SMTP password and the store's password.</summary>
    public void Save(string path) =>
        CredentialFile.WriteOwnerOnly(path, JsonSerializer.Serialize(this, EdgeSettingsJsonContext.Default.EdgeSettings));
}
