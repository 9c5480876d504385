using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;

namespace Drawbridge.Cli.Commands;

internal static partial class TunnelCommands
{
    /// <summary>
    /// <c>drawbridge tunnel ingress validate|rule</c>, as cloudflared has them: check a connector's
    /// config.yml without running it, and show which rule a hostname would reach.
    /// </summary>
    private static Command Ingress()
    {
        var ingress = new Command("ingress", "Check a connector's config.yml ingress rules");
        ingress.Subcommands.Add(Validate());
        ingress.Subcommands.Add(Rule());
        return ingress;
    }

    private static Command Validate()
    {
        var config = ConfigOption();
        var command = new Command("validate", "Check config.yml (keys, values, ingress rules) and say OK or what is wrong, with the line") { config };
        CliAction.Set(command, (parse, cancellationToken) =>
        {
            string path = IngressConfigPath(parse, config);
            Console.WriteLine($"Validating {path}");
            ConnectorConfig file = ConnectorConfigLoader.Load(path);
            Console.WriteLine(file.Ingress is null ? "OK (no ingress rules: `tunnel run` will need --url)" : $"OK: {file.Ingress.Rules.Count} ingress rule(s)");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Rule()
    {
        var target = new Argument<string>("HOSTNAME") { Description = "A hostname (or a URL such as tcp://db.example.com) to match against the rules" };
        var config = ConfigOption();
        var command = new Command("rule", "Show which ingress rule of config.yml a hostname reaches") { target, config };
        CliAction.Set(command, (parse, cancellationToken) =>
        {
            string path = IngressConfigPath(parse, config);
            ConnectorConfig file = ConnectorConfigLoader.Load(path);
            IngressRules rules = file.Ingress ?? throw new ConfigException($"{path}: has no `ingress:` rules");
            string text = parse.GetValue(target)!.Trim();
            string hostname = (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Host.Length > 0 ? uri.Host : text).TrimEnd('.').ToLowerInvariant();
            if (!Edge.Storage.RouteHostname.TryNormalize(hostname, out hostname, out string problem))
            {
                throw new FormatException($"'{text}': {problem}");
            }

            (IngressRule rule, int index) = rules.Match(hostname);
            Console.WriteLine($"Using rules from {path}");
            Console.WriteLine($"Matched rule #{index}");
            Console.WriteLine($"\thostname: {rule.Hostname ?? "(any: the catch-all)"}");
            Console.WriteLine($"\tservice: {rule.Service}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static string IngressConfigPath(ParseResult parse, Option<string?> config) =>
        new SettingLayers(parse).Text(config, "DRAWBRIDGE_CONFIG", null)
        ?? throw new FormatException("which config? give --config config.yml (or set DRAWBRIDGE_CONFIG)");
}
