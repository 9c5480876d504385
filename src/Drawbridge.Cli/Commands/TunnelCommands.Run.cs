using System.CommandLine;
using Drawbridge.Cli.Admin;
using Drawbridge.Cli.Hosting;
using Drawbridge.Connector;
using Drawbridge.Connector.Ingress;
using Drawbridge.Edge.Admin;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Protocol.Transport;

namespace Drawbridge.Cli.Commands;

internal static partial class TunnelCommands
{
    /// <summary>The flags of a running connector, shared by <c>tunnel run</c> and the quick form. Each is also a
    /// <c>DRAWBRIDGE_*</c> variable and a <c>config.yml</c> key; the flag wins, then the variable (docs/CONFIG.md).</summary>
    internal sealed class RunFlags
    {
        public Option<string?> Url { get; } = new("--url") { Description = "The one origin for every hostname, e.g. tcp://localhost:5432 (env DRAWBRIDGE_URL)" };
        public Option<string?> Edge { get; } = CliOptions.Edge();
        public Option<string?> HaConnections { get; } = new("--ha-connections") { Description = "Links to keep to the edge (default 4, 1-16; env DRAWBRIDGE_HA_CONNECTIONS)" };
        public Option<string?> GracePeriod { get; } = new("--grace-period") { Description = "On SIGTERM, how long open streams may finish (default 30s; env DRAWBRIDGE_GRACE_PERIOD)" };
        public Option<string?> Metrics { get; } = SettingLayers.MetricsOption();
        public Option<string?> LogLevel { get; } = SettingLayers.LogLevelOption();
        public Option<string?> LogFormat { get; } = CliLogging.FormatOption();

        public void AddTo(Command command)
        {
            command.Options.Add(Url);
            command.Options.Add(Edge);
            command.Options.Add(HaConnections);
            command.Options.Add(GracePeriod);
            command.Options.Add(Metrics);
            command.Options.Add(LogLevel);
            command.Options.Add(LogFormat);
        }

        public Microsoft.Extensions.Logging.LogLevel Level(ParseResult parse, ConnectorConfig? config, Func<string, string?>? environment = null) =>
            new SettingLayers(parse, environment).LogLevel(LogLevel, config?.LogLevel);

        /// <summary>The logging set-up: level and format (plain or json) from the layers.</summary>
        public Action<Microsoft.Extensions.Logging.ILoggingBuilder> Logging(ParseResult parse, ConnectorConfig? config, Func<string, string?>? environment = null) =>
            CliLogging.Configure(Level(parse, config, environment), CliLogging.Json(new SettingLayers(parse, environment), LogFormat, config?.LogFormat));

        public ConnectorOptions Build(ParseResult parse, TunnelCredential credential, ConnectorConfig? config, Func<string, string?>? environment = null)
        {
            var layers = new SettingLayers(parse, environment);
            IngressRules ingress = layers.Text(Url, "DRAWBRIDGE_URL", null) is { } url
                ? IngressRules.Single(IngressService.Parse(url))
                : config?.Ingress ?? throw new FormatException("nothing to serve: give --url tcp://HOST:PORT, or --config with `ingress:` rules");
            return new ConnectorOptions
            {
                Credential = credential,
                Ingress = ingress,
                EdgeAddress = layers.Text(Edge, "DRAWBRIDGE_EDGE", config?.Edge),
                HaConnections = layers.Number(HaConnections, "DRAWBRIDGE_HA_CONNECTIONS", config?.HaConnections, 1, 16) ?? 4,
                GracePeriod = layers.Duration(GracePeriod, "DRAWBRIDGE_GRACE_PERIOD", config?.GracePeriod) ?? TimeSpan.FromSeconds(30),
                MetricsEndpoint = layers.MetricsEndpoint(Metrics, config?.Metrics),
                Proxy = ProxySettings.FromEnvironment(),
            };
        }
    }

    private static Command RunCommand()
    {
        var name = new Argument<string?>("TUNNEL") { Description = "Tunnel name or id (its credentials file is found in ~/.config/drawbridge/tunnels)", Arity = ArgumentArity.ZeroOrOne };
        var token = new Option<string?>("--token") { Description = "The tunnel token from `tunnel token` (env DRAWBRIDGE_TUNNEL_TOKEN)" };
        var credentialsFile = new Option<string?>("--credentials-file") { Description = "The tunnel's credentials file (env DRAWBRIDGE_CREDENTIALS_FILE)" };
        var config = ConfigOption();
        var flags = new RunFlags();
        var command = new Command("run", "Run a connector for a tunnel: it dials out to the edge; nothing listens here") { name, token, credentialsFile, config };
        flags.AddTo(command);
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            var layers = new SettingLayers(parse);
            ConnectorConfig? file = layers.Text(config, "DRAWBRIDGE_CONFIG", null) is { } path ? ConnectorConfigLoader.Load(path) : null;
            TunnelCredential credential = ResolveCredential(
                CliOptions.FlagOrEnvironment(parse, token, "DRAWBRIDGE_TUNNEL_TOKEN"),
                layers.Text(credentialsFile, "DRAWBRIDGE_CREDENTIALS_FILE", file?.CredentialsFile),
                parse.GetValue(name) ?? (Environment.GetEnvironmentVariable("DRAWBRIDGE_TUNNEL") is { Length: > 0 } named ? named : file?.Tunnel));
            ConnectorOptions options = flags.Build(parse, credential, file);
            return await ConnectorProcess.RunAsync(options, flags.Logging(parse, file), cancellationToken);
        });
        return command;
    }

    private static Option<string?> ConfigOption() =>
        new("--config") { Description = "config.yml with ingress rules and any of the settings here (env DRAWBRIDGE_CONFIG)" };

    private static TunnelCredential ResolveCredential(string? token, string? credentialsFile, string? name)
    {
        if (token is not null)
        {
            return TunnelCredential.ParseToken(token);
        }

        if (credentialsFile is not null)
        {
            return TunnelCredentialFiles.Load(credentialsFile);
        }

        if (name is null)
        {
            throw new FormatException("which tunnel? give its name, --token, or --credentials-file");
        }

        return TunnelCredentialFiles.Find(name)
            ?? throw new FileNotFoundException($"no credentials file for tunnel '{name}' in {UserPaths.TunnelsDirectory}: pass --credentials-file or --token");
    }

    /// <summary><c>drawbridge tunnel --hostname H --url tcp://…</c>: create or reuse a tunnel for H, route H, run.</summary>
    private static Command QuickForm()
    {
        var hostname = new Option<string?>("--hostname") { Description = "Quick form: the app hostname to create (or reuse) a tunnel for, route, and serve" };
        var admin = CliOptions.AdminCredential();
        var flags = new RunFlags();
        var command = new Command("tunnel", "Tunnels carry users' TCP connections from the edge to services here (quick form: --hostname H --url tcp://HOST:PORT)") { hostname, admin };
        flags.AddTo(command);
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            string host = parse.GetValue(hostname) ?? throw new FormatException("the quick form needs --hostname and --url; or see `drawbridge tunnel --help` for the subcommands");
            if (new SettingLayers(parse).Text(flags.Url, "DRAWBRIDGE_URL", null) is null)
            {
                throw new FormatException("the quick form needs --url tcp://HOST:PORT (the service to expose)");
            }

            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            TunnelCredential credential = await EnsureTunnelAsync(client, host, cancellationToken);
            await client.PostAsync("/api/v1/routes",
                AdminClient.Json(new RouteRequest(host, credential.TunnelId.ToString("N")), AdminJsonContext.Default.RouteRequest),
                AdminJsonContext.Default.RouteView, cancellationToken);
            Console.Error.WriteLine($"drawbridge: serving {host} through tunnel {credential.TunnelName} ({credential.TunnelId:N})");
            return await ConnectorProcess.RunAsync(flags.Build(parse, credential, null), flags.Logging(parse, null), cancellationToken);
        });
        return command;
    }

    /// <summary>The saved credential of the tunnel named after the hostname; created, or its secret rotated, when not saved here.</summary>
    private static async Task<TunnelCredential> EnsureTunnelAsync(AdminClient client, string name, CancellationToken cancellationToken)
    {
        if (TunnelCredentialFiles.Find(name) is { } saved)
        {
            return saved;
        }

        CreatedTunnel created;
        try
        {
            created = await client.PostAsync("/api/v1/tunnels",
                AdminClient.Json(new CreateTunnelRequest(name), AdminJsonContext.Default.CreateTunnelRequest),
                AdminJsonContext.Default.CreatedTunnel, cancellationToken);
        }
        catch (AdminApiException ex) when (ex.Status == 409)
        {
            created = await client.PostAsync($"/api/v1/tunnels/{Uri.EscapeDataString(name)}/rotate-secret", null, AdminJsonContext.Default.CreatedTunnel, cancellationToken);
        }

        TunnelCredential credential = TunnelCredential.Parse(created.Credential);
        TunnelCredentialFiles.Save(credential);
        return credential;
    }
}
