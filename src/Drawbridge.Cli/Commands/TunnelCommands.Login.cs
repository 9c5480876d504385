using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Client;
using Drawbridge.Client.Login;
using Drawbridge.Edge.Admin;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Commands;

internal static partial class TunnelCommands
{
    /// <summary>
    /// <c>drawbridge tunnel login</c>: an administrator signs in to the edge's admin application (the
    /// edge's own hostname) like a user signs in to an app, and the CLI saves the account credential
    /// (edge URL, CA, the admin app token) that the other admin commands use. Who is an
    /// administrator is that application's policy, checked on every admin request.
    /// </summary>
    private static Command Login()
    {
        var edge = new Option<string?>("--edge") { Description = "The edge's URL, e.g. https://access.example.com (env DRAWBRIDGE_EDGE)" };
        var caCert = CliOptions.CaCert();
        var noBrowser = new Option<bool>("--no-browser") { Description = "Sign in on another device with a code (RFC 8628) instead of a browser here" };
        var admin = CliOptions.AdminCredential();
        var command = new Command("login", "Sign in as an administrator of an edge and save the admin credential the tunnel, app and policy commands use")
        {
            edge, caCert, noBrowser, admin,
        };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string edgeText = CliOptions.FlagOrEnvironment(parse, edge, "DRAWBRIDGE_EDGE")
                ?? throw new ArgumentException("--edge is required: the edge's URL, e.g. https://access.example.com");
            (string host, int port) = EdgeEndpoint.ParseHostPort(edgeText);
            string? caPath = CliOptions.FlagOrEnvironment(parse, caCert, "DRAWBRIDGE_CA_CERT");
            string? caPem = caPath is null ? null : File.ReadAllText(caPath);
            var options = new AccessOptions
            {
                Hostname = host.ToLowerInvariant(),
                EdgeAddress = $"{host}:{port}",
                CaCertificatePem = caPem,
                Proxy = ProxySettings.FromEnvironment(),
            };

            CachedToken token = await AccessCommands.NewLogin(options, parse.GetValue(noBrowser)).GetTokenAsync(forceSignIn: true, cancellationToken);
            string edgeUrl = port == 443 ? $"https://{options.Hostname}" : $"https://{options.Hostname}:{port}";
            var credential = new AdminCredential(edgeUrl, token.Token, caPem);

            // Only a credential that works is saved: a signed-in non-administrator learns it now.
            using (AdminClient client = AdminClient.For(credential))
            {
                await client.GetAsync("/api/v1/tunnels", AdminJsonContext.Default.IReadOnlyListTunnelView, cancellationToken);
            }

            string path = parse.GetValue(admin) ?? UserPaths.AdminCredential;
            CredentialFile.WriteOwnerOnly(path, credential.ToJson());
            Console.WriteLine($"Signed in to {edgeUrl} as {token.Email ?? "(unknown)"}; administrator until {token.ExpiresAt.ToLocalTime():yyyy-MM-dd HH:mm}");
            Console.WriteLine($"Admin credential written to {path} (owner-only)");
            return 0;
        });
        return command;
    }
}
