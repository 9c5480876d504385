using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Cli.Systemd;
using Drawbridge.Connector.Ingress;
using Drawbridge.Edge.Hosting;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Cli.Commands;

/// <summary><c>drawbridge service install|uninstall</c>: systemd units for the connector and the edge.</summary>
internal static class ServiceCommands
{
    private const string ConnectorName = "drawbridge-connector";
    private const string EdgeName = "drawbridge-edge";

    public static Command Build()
    {
        var service = new Command("service", "Install the connector or the edge as a systemd service");
        service.Subcommands.Add(Install());
        service.Subcommands.Add(Uninstall());
        return service;
    }

    private static Option<bool> EdgeFlag() => new("--edge") { Description = "The edge's service (default: the connector's)" };

    private static Option<string?> Root() => new("--root") { Description = "Write under this absolute directory instead of / (packaging, tests); creates no user" };

    private static Option<string?> Name() => new("--name") { Description = $"The unit's name (default {ConnectorName}, or {EdgeName} with --edge)" };

    private static Command Install()
    {
        var edge = EdgeFlag();
        var root = Root();
        var name = Name();
        var user = new Option<string?>("--user") { Description = $"An existing user to run as (default: {ServiceInstaller.DefaultUser}, created if missing)" };
        var config = new Option<string?>("--config") { Description = "Connector: config.yml with ingress rules" };
        var url = new Option<string?>("--url") { Description = "Connector: the one origin, e.g. tcp://localhost:5432 (instead of --config)" };
        var credentialsFile = new Option<string?>("--credentials-file") { Description = "Connector: the tunnel's credentials file (copied, owner-only)" };
        var token = new Option<string?>("--token") { Description = "Connector: the tunnel token from `tunnel token` (saved as an owner-only credentials file)" };
        var dataDir = CliOptions.DataDirectory();
        var watchdog = new Option<string?>("--watchdog") { Description = "WatchdogSec, e.g. 30s: systemd restarts a service that stops pinging" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing unit" };
        var command = new Command("install", "Write a systemd unit (Type=notify, dedicated user, sandboxed) and the files it needs")
        {
            edge, root, name, user, config, url, credentialsFile, token, dataDir, watchdog, force,
        };
        CliAction.Set(command, async (parse, cancellationToken) =>
        {
            bool isEdge = parse.GetValue(edge);
            Option[] foreign = isEdge ? [config, url, credentialsFile, token] : [dataDir];
            if (foreign.FirstOrDefault(o => parse.GetResult(o) is not null) is { } misplaced)
            {
                throw new FormatException($"{misplaced.Name} is {(isEdge ? "for the connector's service, not --edge" : "for the edge's service: add --edge")}");
            }

            var installer = new ServiceInstaller(parse.GetValue(root), parse.GetValue(name) ?? (isEdge ? EdgeName : ConnectorName), Console.Out);
            TimeSpan? watchdogSec = parse.GetValue(watchdog) is { } text ? CliOptions.Duration(text, "--watchdog") : null;
            if (watchdogSec is { } w && w < TimeSpan.FromSeconds(1))
            {
                throw new FormatException("--watchdog: give at least 1s");
            }

            installer.EnsureAbsent(parse.GetValue(force));
            if (isEdge)
            {
                string data = Path.GetFullPath(CliOptions.FlagOrEnvironment(parse, dataDir, "DRAWBRIDGE_DATA_DIR") ?? EdgeDataDirectory.DefaultRoot());
                if (!File.Exists(new EdgeDataDirectory(data).Settings))
                {
                    throw new FileNotFoundException($"{data} is not an edge data directory: run `drawbridge edge init --data-dir {data}` first");
                }

                ServiceAccount? account = await installer.ResolveAccountAsync(parse.GetValue(user), cancellationToken);
                if (account is not null && !installer.Staged)
                {
                    await account.GiveAsync(data, cancellationToken); // the data dir stays where it is, owned by the service
                }

                installer.WriteUnit(new ServiceUnit(installer.Name, "Drawbridge edge", [.. SelfCommand.Executable(), "edge", "run", "--data-dir", data],
                    account?.Name ?? ServiceInstaller.DefaultUser, [data], BindsPrivilegedPort: true, watchdogSec));
                return 0;
            }

            // The connector: check the credential and the ingress rules now, not at the service's first start.
            string? configPath = parse.GetValue(config) is { } c ? Path.GetFullPath(c) : null;
            ConnectorConfig? file = configPath is not null ? ConnectorConfigLoader.Load(configPath) : null;
            string[] origin = parse.GetValue(url) is { } u ? ["--url", u] : configPath is not null ? ["--config", configPath]
                : throw new FormatException("what does the connector serve? give --config config.yml (ingress rules) or --url tcp://HOST:PORT");
            if (parse.GetValue(url) is { } single)
            {
                IngressService.Parse(single);
            }

            TunnelCredential credential = parse.GetValue(token) is { } t ? TunnelCredential.ParseToken(t)
                : (parse.GetValue(credentialsFile) ?? file?.CredentialsFile) is { } path
                    ? File.Exists(path) ? TunnelCredentialFiles.Load(path) : throw new FileNotFoundException($"--credentials-file {path}: no such file")
                : throw new FormatException("which tunnel? give --credentials-file or --token");
            ServiceAccount? runAs = await installer.ResolveAccountAsync(parse.GetValue(user), cancellationToken);
            string credentials = $"{installer.FilesDirectory}/credentials.json";
            await installer.WriteSecretAsync(credentials, credential.ToJson(), runAs, cancellationToken);
            installer.WriteUnit(new ServiceUnit(installer.Name, $"Drawbridge connector for tunnel {credential.TunnelName}",
                [.. SelfCommand.Executable(), "tunnel", "run", "--credentials-file", credentials, .. origin],
                runAs?.Name ?? ServiceInstaller.DefaultUser, [], BindsPrivilegedPort: false, watchdogSec));
            return 0;
        });
        return command;
    }

    private static Command Uninstall()
    {
        var edge = EdgeFlag();
        var root = Root();
        var name = Name();
        var command = new Command("uninstall", "Remove a unit written by `service install` and the copies it made") { edge, root, name };
        CliAction.Set(command, (parse, _) =>
        {
            new ServiceInstaller(parse.GetValue(root), parse.GetValue(name) ?? (parse.GetValue(edge) ? EdgeName : ConnectorName), Console.Out).Uninstall();
            return Task.FromResult(0);
        });
        return command;
    }
}
