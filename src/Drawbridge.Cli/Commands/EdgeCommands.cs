using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Cli.Systemd;
using Drawbridge.Edge.Hosting;
using Drawbridge.Protocol.Credentials;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge edge init|run</c>.</summary>
internal static class EdgeCommands
{
    public static Command Build()
    {
        var edge = new Command("edge", "Run the edge: the public HTTPS endpoint that connectors and users reach");
        edge.Subcommands.Add(Init());
        edge.Subcommands.Add(Run());
        return edge;
    }

    private static Command Init()
    {
        var dataDir = CliOptions.DataDirectory();
        var hostname = new Option<string>("--hostname") { Description = "The edge's public name (e.g. access.example.com)", DefaultValueFactory = _ => "localhost" };
        var port = new Option<int>("--port") { Description = "The port users and connectors reach the edge on", DefaultValueFactory = _ => 443 };
        var force = new Option<bool>("--force") { Description = "Re-initialise an existing data directory (new admin credential)" };
        var admins = new Option<string[]>("--admin")
        {
            Description = "Who may administer the edge after `drawbridge tunnel login`: an e-mail address or a selector such as email-domain:example.com or group:ops (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var store = CliOptions.Store();
        var command = new Command("init", "Create the data directory: database, CA, edge certificate, admin credential, admin application") { dataDir, hostname, port, admins, force, store };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string root = CliOptions.FlagOrEnvironment(parse, dataDir, "DRAWBRIDGE_DATA_DIR") ?? EdgeDataDirectory.DefaultRoot();
            using var loggers = LoggerFactory.Create(CliLogging.Configure(LogLevel.Warning));
            AdminCredential credential = await EdgeInitializer.InitializeAsync(
                new EdgeInitOptions
                {
                    DataDirectory = root,
                    Hostname = parse.GetValue(hostname)!,
                    PublicPort = parse.GetValue(port),
                    Administrators = parse.GetValue(admins) ?? [],
                    Force = parse.GetValue(force),
                    Store = CliOptions.FlagOrEnvironment(parse, store, "DRAWBRIDGE_STORE"),
                },
                TimeProvider.System, loggers.CreateLogger("edge-init"), cancellationToken);
            var data = new EdgeDataDirectory(Path.GetFullPath(root));
            Console.WriteLine($"Initialised the edge in {data.Root} for {credential.EdgeUrl}");
            Console.WriteLine($"  CA certificate (give it to users and connectors): {data.CaCertificate}");
            Console.WriteLine($"  Admin credential: {data.AdminCredential}");
            string user = UserPaths.AdminCredential;
            if (!File.Exists(user) || parse.GetValue(force))
            {
                CredentialFile.WriteOwnerOnly(user, credential.ToJson());
                Console.WriteLine($"  ... and copied to {user} for the CLI");
            }

            string host = new Uri(credential.EdgeUrl).Host;
            Console.WriteLine((parse.GetValue(admins) ?? []) is { Length: > 0 } named
                ? $"  Administrators ({string.Join(", ", named)}) sign in with: drawbridge tunnel login --edge {credential.EdgeUrl}"
                : $"  No administrator can sign in yet: add one with `drawbridge policy add {host} --action allow --include email:YOU` (or re-run with --admin)");
            Console.WriteLine("Next: drawbridge edge run" + (root == EdgeDataDirectory.DefaultRoot() ? "" : $" --data-dir {root}"));
            return 0;
        });
        return command;
    }

    private static Command Run()
    {
        var dataDir = CliOptions.DataDirectory();
        var listen = new Option<string>("--listen") { Description = "IP:PORT to listen on (env DRAWBRIDGE_LISTEN)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DRAWBRIDGE_LISTEN") ?? "0.0.0.0:443" };
        var cert = new Option<string?>("--cert") { Description = "PEM certificate chain to serve instead of the edge's own CA" };
        var key = new Option<string?>("--key") { Description = "PEM private key of --cert" };
        var grace = new Option<string>("--grace-period") { Description = "On SIGTERM, how long open connections may finish", DefaultValueFactory = _ => "30s" };
        var store = CliOptions.Store();
        var logLevel = CliOptions.LogLevelOption();
        var command = new Command("run", "Serve connectors, users and the admin API on one HTTPS port") { dataDir, listen, cert, key, grace, store, logLevel };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            if ((parse.GetValue(cert) is null) != (parse.GetValue(key) is null))
            {
                throw new FormatException("--cert and --key go together");
            }

            var options = new EdgeRunOptions
            {
                DataDirectory = CliOptions.FlagOrEnvironment(parse, dataDir, "DRAWBRIDGE_DATA_DIR") ?? EdgeDataDirectory.DefaultRoot(),
                Listen = parse.GetValue(listen)!,
                CertificatePath = parse.GetValue(cert),
                KeyPath = parse.GetValue(key),
                GracePeriod = CliOptions.Duration(parse.GetValue(grace)!, "--grace-period"),
                Store = CliOptions.FlagOrEnvironment(parse, store, "DRAWBRIDGE_STORE"),
            };
            await using EdgeHost host = await EdgeHost.StartAsync(options, CliLogging.Configure(parse.GetValue(logLevel)), TimeProvider.System, cancellationToken);
            using SystemdNotifier? systemd = SystemdNotifier.FromEnvironment();
            // READY once the listener is up; STOPPING=1 as SIGTERM begins the drain below.
            Task notifying = systemd?.RunAsync(Task.CompletedTask, () => EdgeStatus(host, options.Listen), cancellationToken) ?? Task.CompletedTask;
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await notifying;
            await host.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static string EdgeStatus(EdgeHost host, string listen) =>
        $"listening on {listen[..listen.LastIndexOf(':')]}:{host.Port}; {host.Registry.All.Count()} connector links, {host.Runtime.Connections.Open} open connections";
}
