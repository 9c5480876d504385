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
    /// <summary>The flags of a running connector, shared by <c>tunnel run</c> and the quick form.</summary>
    private sealed class RunFlags
    {
        public Option<string?> Url { get; } = new("--url") { Description = "The one origin for every hostname, e.g. tcp://localhost:5432" };
        public Option<string?> Edge { get; } = CliOptions.Edge();
        public Option<int?> HaConnections { get; } = new("--ha-connections") { Description = "Links to keep to the edge (default 4, 1-16)" };
        public Option<string?> GracePeriod { get; } = new("--grace-period") { Description = "On SIGTERM, how long open streams may finish (default 30s)" };
        public Option<string?> Metrics { get; } = new("--metrics") { Description = "IP:PORT for /metrics and /ready, e.g. 127.0.0.1:2000" };
        public Option<Microsoft.Extensions.Logging.LogLevel> LogLevel { get; } = CliOptions.LogLevelOption();

        public void AddTo(Command command)
        {
            command.Options.Add(Url);
            command.Options.Add(Edge);
            command.Options.Add(HaConnections);
            command.Options.Add(GracePeriod);
            command.Options.Add(Metrics);
            command.Options.Add(LogLevel);
        }

        public ConnectorOptions Build(ParseResult parse, TunnelCredential credential, ConnectorConfig? config)
        {
            IngressRules ingress = parse.GetValue(Url) is { } url
                ? IngressRules.Single(IngressService.Parse(url))
                : config?.Ingress ?? throw new FormatException("nothing to serve: give --url tcp://HOST:PORT, or --config with `ingress:` rules");
            int ha = parse.GetValue(HaConnections) ?? config?.HaConnections ?? 4;
            if (ha is < 1 or > 16)
            {
                throw new FormatException($"--ha-connections {ha}: use 1 to 16");
            }

            return new ConnectorOptions
            {
                Credential = credential,
                Ingress = ingress,
                EdgeAddress = CliOptions.FlagOrEnvironment(parse, Edge, "DRAWBRIDGE_EDGE"),
                HaConnections = ha,
                GracePeriod = parse.GetValue(GracePeriod) is { } grace ? CliOptions.Duration(grace, "--grace-period") : config?.GracePeriod ?? TimeSpan.FromSeconds(30),
                MetricsAddress = parse.GetValue(Metrics) ?? config?.Metrics,
                Proxy = ProxySettings.FromEnvironment(),
            };
        }
    }

    private static Command RunCommand()
    {
        var name = new Argument<string?>("TUNNEL") { Description = "Tunnel name or id (its credentials file is found in ~/.config/drawbridge/tunnels)", Arity = ArgumentArity.ZeroOrOne };
        var token = new Option<string?>("--token") { Description = "The tunnel token from `tunnel token` (env DRAWBRIDGE_TUNNEL_TOKEN)" };
        var credentialsFile = new Option<string?>("--credentials-file") { Description = "The tunnel's credentials file" };
        var config = new Option<string?>("--config") { Description = "config.yml with ingress rules" };
        var flags = new RunFlags();
        var command = new Command("run", "Run a connector for a tunnel: it dials out to the edge; nothing listens here") { name, token, credentialsFile, config };
        flags.AddTo(command);
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            ConnectorConfig? file = parse.GetValue(config) is { } path ? ConnectorConfigLoader.Load(path) : null;
            TunnelCredential credential = ResolveCredential(
                CliOptions.FlagOrEnvironment(parse, token, "DRAWBRIDGE_TUNNEL_TOKEN"),
                parse.GetValue(credentialsFile) ?? file?.CredentialsFile,
                parse.GetValue(name) ?? file?.Tunnel);
            ConnectorOptions options = flags.Build(parse, credential, file);
            return await ConnectorProcess.RunAsync(options, CliLogging.Configure(parse.GetValue(flags.LogLevel)), cancellationToken);
        });
        return command;
    }

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
            if (parse.GetValue(flags.Url) is null)
            {
                throw new FormatException("the quick form needs --url tcp://HOST:PORT (the service to expose)");
            }

            using AdminClient client = AdminClient.Open(parse.GetValue(admin));
            TunnelCredential credential = await EnsureTunnelAsync(client, host, cancellationToken);
            await client.PostAsync("/api/v1/routes",
                AdminClient.Json(new RouteRequest(host, credential.TunnelId.ToString("N")), AdminJsonContext.Default.RouteRequest),
                AdminJsonContext.Default.RouteView, cancellationToken);
            Console.Error.WriteLine($"drawbridge: serving {host} through tunnel {credential.TunnelName} ({credential.TunnelId:N})");
            return await ConnectorProcess.RunAsync(flags.Build(parse, credential, null), CliLogging.Configure(parse.GetValue(flags.LogLevel)), cancellationToken);
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
