using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Client;
using Drawbridge.Client.Diagnostics;
using Drawbridge.Client.Login;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge doctor [--hostname H]</c>: which layer between here and the app fails, and what to do.</summary>
internal static class DoctorCommand
{
    public static Command Build()
    {
        var hostname = new Option<string?>("--hostname") { Description = "The app to check, e.g. db.example.com (a test connection is made with your cached sign-in or a service token)" };
        var edge = CliOptions.Edge();
        var caCert = CliOptions.CaCert();
        var tokenId = new Option<string?>("--service-token-id") { Description = "Service token client id (env DRAWBRIDGE_SERVICE_TOKEN_ID)" };
        var tokenSecret = new Option<string?>("--service-token-secret") { Description = "Service token secret (env DRAWBRIDGE_SERVICE_TOKEN_SECRET)" };
        var command = new Command("doctor", "Check, in order, name resolution, TCP to 443, the proxy, TLS trust, clock skew and a test connection; say which step fails and what to do")
        {
            hostname, edge, caCert, tokenId, tokenSecret,
        };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string? edgeAddress = CliOptions.FlagOrEnvironment(parse, edge, "DRAWBRIDGE_EDGE");
            string? app = parse.GetValue(hostname)?.Trim().TrimEnd('.').ToLowerInvariant();
            if (app is null && edgeAddress is null)
            {
                throw new FormatException("what to check? give --hostname APP (and --edge HOST:PORT for a private edge), or --edge alone for the edge");
            }

            string? caPath = CliOptions.FlagOrEnvironment(parse, caCert, "DRAWBRIDGE_CA_CERT");
            string? id = CliOptions.FlagOrEnvironment(parse, tokenId, "DRAWBRIDGE_SERVICE_TOKEN_ID");
            var options = new AccessOptions
            {
                Hostname = app ?? EdgeEndpoint.ParseHostPort(edgeAddress!).Host,
                EdgeAddress = edgeAddress,
                CaCertificatePem = caPath is null ? null : File.ReadAllText(caPath),
                ServiceTokenId = id,
                ServiceTokenSecret = CliOptions.FlagOrEnvironment(parse, tokenSecret, "DRAWBRIDGE_SERVICE_TOKEN_SECRET"),
                // Never a sign-in from here: the cached token, if there is one, is what `access tcp` would use first.
                AppToken = app is null || id is not null ? null : new TokenCache(Path.Combine(UserPaths.ConfigDirectory, "tokens"), TimeProvider.System).Load(app)?.Token,
                Proxy = ProxySettings.FromEnvironment(),
            };

            bool failed = false;
            await foreach (DoctorStep step in new Doctor(options, TimeProvider.System).RunAsync(testConnection: app is not null, cancellationToken))
            {
                Console.WriteLine($"[{(step.Passed ? " ok " : "FAIL")}] {step.Name}: {step.Detail}");
                if (!step.Passed)
                {
                    failed = true;
                    if (step.Advice is { } advice)
                    {
                        Console.WriteLine($"       what to do: {advice}");
                    }
                }
            }

            if (!failed)
            {
                Console.WriteLine(app is null ? "The edge is reachable and trusted from here." : $"{app} is reachable from here.");
            }

            return failed ? 1 : 0;
        });
        return command;
    }
}
