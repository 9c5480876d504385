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
        var flags = new EdgeRunFlags();
        var command = new Command("run", "Serve connectors, users and the admin API on one HTTPS port");
        flags.AddTo(command);
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            (EdgeRunOptions options, LogLevel level, bool json) = flags.Build(parse);
            await using EdgeHost host = await EdgeHost.StartAsync(options, CliLogging.Configure(level, json), TimeProvider.System, cancellationToken);
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

/// <summary>The settings of <c>edge run</c>: from edge.yml, then DRAWBRIDGE_*, then flags (docs/CONFIG.md).</summary>
internal sealed class EdgeRunFlags
{
    public Option<string?> DataDirectory { get; } = CliOptions.DataDirectory();

    public Option<string?> Config { get; } = new("--config") { Description = "edge.yml with any of these settings (default: edge.yml in the data directory, if there; env DRAWBRIDGE_CONFIG)" };

    public Option<string?> Listen { get; } = new("--listen") { Description = "IP:PORT to listen on (default 0.0.0.0:443; env DRAWBRIDGE_LISTEN)" };

    public Option<string?> Certificate { get; } = new("--cert") { Description = "PEM certificate chain to serve instead of the edge's own CA (env DRAWBRIDGE_CERT)" };

    public Option<string?> Key { get; } = new("--key") { Description = "PEM private key of --cert (env DRAWBRIDGE_KEY)" };

    public Option<string?> GracePeriod { get; } = new("--grace-period") { Description = "On SIGTERM, how long open connections may finish (default 30s; env DRAWBRIDGE_GRACE_PERIOD)" };

    public Option<string?> Store { get; } = CliOptions.Store();

    public Option<string?> Metrics { get; } = SettingLayers.MetricsOption();

    public Option<string?> LogLevel { get; } = SettingLayers.LogLevelOption();

    public Option<string?> LogFormat { get; } = CliLogging.FormatOption();

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { DataDirectory, Config, Listen, Certificate, Key, GracePeriod, Store, Metrics, LogLevel, LogFormat })
        {
            command.Options.Add(option);
        }
    }

    public (EdgeRunOptions Options, LogLevel Level, bool JsonLogs) Build(ParseResult parse, Func<string, string?>? environment = null)
    {
        var layers = new SettingLayers(parse, environment);

        // The file may name the data directory, and the data directory may hold the file: a flag or
        // variable decides the directory first, the default location of the file last.
        string? root = layers.Text(DataDirectory, "DRAWBRIDGE_DATA_DIR", null);
        string? configPath = layers.Text(Config, "DRAWBRIDGE_CONFIG", null);
        if (configPath is null && Path.Combine(root ?? EdgeDataDirectory.DefaultRoot(), "edge.yml") is var beside && File.Exists(beside))
        {
            configPath = beside;
        }

        EdgeConfigFile file = configPath is null ? new EdgeConfigFile(null, null, null, null, null, null, null) : EdgeConfigFile.Load(configPath);
        string? certificate = layers.Text(Certificate, "DRAWBRIDGE_CERT", file.Certificate);
        string? key = layers.Text(Key, "DRAWBRIDGE_KEY", file.Key);
        if ((certificate is null) != (key is null))
        {
            throw new FormatException("--cert and --key go together (as flags, as DRAWBRIDGE_CERT and DRAWBRIDGE_KEY, or as cert and key in edge.yml)");
        }

        string listen = layers.Text(Listen, "DRAWBRIDGE_LISTEN", file.Listen) ?? "0.0.0.0:443";
        EdgeHost.ParseListen(listen); // a bad flag or variable is refused here, before anything starts
        var options = new EdgeRunOptions
        {
            DataDirectory = root ?? file.DataDirectory ?? EdgeDataDirectory.DefaultRoot(),
            Listen = listen,
            CertificatePath = certificate,
            KeyPath = key,
            GracePeriod = layers.Duration(GracePeriod, "DRAWBRIDGE_GRACE_PERIOD", file.GracePeriod) ?? TimeSpan.FromSeconds(30),
            Store = layers.Text(Store, "DRAWBRIDGE_STORE", file.Store),
            MetricsEndpoint = layers.MetricsEndpoint(Metrics, file.Metrics),
        };
        return (options, layers.LogLevel(LogLevel, file.LogLevel), CliLogging.Json(layers, LogFormat, file.LogFormat));
    }
}
