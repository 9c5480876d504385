using Drawbridge.Edge.Admin;
using Drawbridge.Edge.Certificates;
using Drawbridge.Edge.Policies;
using Drawbridge.Edge.Storage;
using Drawbridge.Protocol.Credentials;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Edge.Hosting;

/// <summary><c>drawbridge edge init</c>: database (SQLite in the data directory, or <c>--store</c>), CA, settings, the first admin credential, and the admin application.</summary>
internal static class EdgeInitializer
{
    /// <summary>The name of the allow policy <c>edge init</c> gives the admin application.</summary>
    public const string AdministratorsPolicy = "administrators";

    public static async Task<AdminCredential> InitializeAsync(EdgeInitOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        // 0. Bad input changes nothing: check the administrators before anything is written.
        string hostname = options.Hostname.ToLowerInvariant();
        IReadOnlyList<Selector> administrators = ParseAdministrators(options.Administrators);
        if (administrators.Count > 0 && !RouteHostname.TryNormalize(hostname, out _, out string problem))
        {
            throw new ArgumentException($"--admin needs the edge's hostname to be a DNS name (the admin application is named by it), but it {problem}");
        }

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

        await BootstrapAdminAppAsync(store, hostname, administrators, cancellationToken);

        var settings = new EdgeSettings(hostname, options.PublicPort) { Store = options.Store };
        settings.Save(data.Settings);
        var credential = new AdminCredential(settings.PublicUrl, AdminTokens.Format(token.Id, secret), ca.CertificatePem);
        CredentialFile.WriteOwnerOnly(data.AdminCredential, credential.ToJson());
        return credential;
    }

    /// <summary>
    /// The admin application: the edge's own hostname, whose policies decide who may use the admin
    /// API after <c>drawbridge tunnel login</c>. Without administrators it has no policy (nobody
    /// signs in as an administrator until one is added with the bootstrap credential).
    /// </summary>
    private static async Task BootstrapAdminAppAsync(IEdgeStore store, string hostname, IReadOnlyList<Selector> administrators, CancellationToken cancellationToken)
    {
        if (!RouteHostname.TryNormalize(hostname, out _, out _))
        {
            return; // an edge named by an IP address has no admin application; its admin token still works
        }

        if (await store.GetAppAsync(hostname, cancellationToken) is null)
        {
            await store.CreateAppAsync(hostname, TimeSpan.FromHours(12), cancellationToken);
        }

        if (administrators.Count == 0)
        {
            return;
        }

        IReadOnlyList<StoredPolicy> existing = await store.ListPoliciesAsync(hostname, cancellationToken);
        string[] include = [.. administrators.Select(a => a.ToString())];
        if (existing.FirstOrDefault(p => p.Name == AdministratorsPolicy) is { } policy)
        {
            await store.UpdatePolicyAsync(policy.Id, policy.Name, policy.Action, policy.Precedence, include, [], [], cancellationToken);
            return;
        }

        int precedence = existing.Count == 0 ? 1 : existing.Max(p => p.Precedence) + 1;
        await store.AddPolicyAsync(hostname, AdministratorsPolicy, PolicyRecords.ToStoredAction(PolicyAction.Allow), precedence, include, [], [], cancellationToken);
    }

    /// <summary>Each <c>--admin</c> as a selector; a bare e-mail address means <c>email:</c>.</summary>
    internal static IReadOnlyList<Selector> ParseAdministrators(IReadOnlyList<string> values)
    {
        var selectors = new List<Selector>();
        foreach (string value in values)
        {
            string text = value.Contains(':', StringComparison.Ordinal) ? value : "email:" + value;
            if (!Selector.TryParse(text, out Selector? selector, out string problem))
            {
                throw new ArgumentException($"--admin '{value}': {problem}");
            }

            if (selector.Kind == SelectorKind.ServiceToken)
            {
                throw new ArgumentException($"--admin '{value}': administrators are people who sign in; service tokens use the admin token instead");
            }

            selectors.Add(selector);
        }

        return selectors;
    }
}
