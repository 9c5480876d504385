using Drawbridge.Edge.Admin;
using Drawbridge.Edge.Certificates;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Hosting;

/// <summary><c>drawbridge edge init</c>: database (SQLite in the data directory, or <c>--store</c>), CA, settings and the first admin credential.</summary>
internal static class EdgeInitializer
{
    public static async Task<AdminCredential> InitializeAsync(EdgeInitOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var data = new EdgeDataDirectory(Path.GetFullPath(options.DataDirectory));
        if (File.Exists(data.Settings) && !options.Force)
        {
            throw new InvalidOperationException($"{data.Root} is already initialised (it has edge.json); pass --force to re-initialise it");
        }

        StoreLocation storeLocation = StoreLocation.Resolve(options.Store, data.Database);

        // 1. An owner-only directory: it holds the CA key and the database of secret hashes.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(data.Root);
        }
        else
        {
            Directory.CreateDirectory(data.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // 2. The CA signs the edge's certificates, one per name on demand (EdgeCertificates).
        using var ca = EdgeCertificateAuthority.LoadOrCreate(data.CaCertificate, data.CaKey, time);

        // 3. The database with its schema, and a bootstrap admin token for the CLI.
        await using var store = await storeLocation.OpenAsync(time, logger, cancellationToken);
        byte[] secret = SecretHash.NewSecret();
        AdminToken token = await store.CreateAdminTokenAsync("bootstrap", SecretHash.Hash(secret), cancellationToken);

        var settings = new EdgeSettings(options.Hostname.ToLowerInvariant(), options.PublicPort) { Store = options.Store };
        settings.Save(data.Settings);
        var credential = new AdminCredential(settings.PublicUrl, AdminTokens.Format(token.Id, secret), ca.CertificatePem);
        CredentialFile.WriteOwnerOnly(data.AdminCredential, credential.ToJson());
        return credential;
    }
}
