using System.Globalization;
using System.Net;
using Drawbridge.Configuration;
using Drawbridge.Observability;
using Drawbridge.Protocol.Text;
using YamlDotNet.RepresentationModel;

namespace Drawbridge.Connector.Ingress;

/// <summary>Reads <c>config.yml</c>. Every error names the file, the line and the allowed values.</summary>
internal static class ConnectorConfigLoader
{
    private static readonly string[] Keys = ["tunnel", "credentials-file", "edge", "ha-connections", "grace-period", "metrics", "log-level", "log-format", "ingress"];

    public static ConnectorConfig Load(string path) => Parse(YamlConfigFile.ReadText(path), path);

    public static ConnectorConfig Parse(string text, string fileName)
    {
        YamlMappingNode root = YamlConfigFile.ParseRoot(text, fileName, Keys, "it needs at least an `ingress:` list");
        string? tunnel = null, credentials = null, edge = null, logLevel = null, logFormat = null;
        IPEndPoint? metrics = null;
        int? ha = null;
        TimeSpan? grace = null;
        IngressRules? ingress = null;
        foreach (var (keyNode, value) in root.Children)
        {
            string where = $"{fileName}:{keyNode.Start.Line}";
            string key = YamlConfigFile.KeyName(keyNode, where, Keys);
            switch (key)
            {
                case "tunnel": tunnel = YamlConfigFile.Scalar(value, where, key); break;
                case "credentials-file": credentials = YamlConfigFile.Scalar(value, where, key); break;
                case "metrics": metrics = ParseMetrics(YamlConfigFile.Scalar(value, where, key), where, key); break;
                case "edge": edge = YamlConfigFile.Scalar(value, where, key); break;
                case "log-level": logLevel = YamlConfigFile.LogLevel(YamlConfigFile.Scalar(value, where, key), where, key); break;
                case "log-format": logFormat = YamlConfigFile.LogFormat(YamlConfigFile.Scalar(value, where, key), where, key); break;
                case "ha-connections":
                    ha = int.TryParse(YamlConfigFile.Scalar(value, where, key), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 16
                        ? n
                        : throw new ConfigException($"{where}: ha-connections must be a whole number from 1 to 16");
                    break;
                case "grace-period": grace = ParseDuration(YamlConfigFile.Scalar(value, where, key), where, key); break;
                case "ingress": ingress = ParseIngress(value, fileName); break;
                default:
                    throw YamlConfigFile.UnknownKey(where, key, Keys);
            }
        }

        return new ConnectorConfig(tunnel, credentials, ha, grace, metrics, ingress) { Edge = edge, LogLevel = logLevel, LogFormat = logFormat };
    }

    /// <summary><c>metrics:</c> IP:PORT (<see cref="MetricsAddress"/>); the edge's <c>edge.yml</c> reads its own the same way.</summary>
    internal static IPEndPoint ParseMetrics(string text, string where, string key) =>
        MetricsAddress.TryParse(text, out IPEndPoint? endpoint, out string problem)
            ? endpoint
            : throw new ConfigException($"{where}: '{key}': {problem}; not '{MetricsAddress.Shown(text)}'");

    private static IngressRules ParseIngress(YamlNode node, string fileName)
    {
        if (node is not YamlSequenceNode list || list.Children.Count == 0)
        {
            throw new ConfigException($"{fileName}:{node.Start.Line}: ingress must be a list of rules, e.g.\n  - hostname: db.example.com\n    service: tcp://localhost:5432\n  - service: reject");
        }

        var rules = new List<IngressRule>();
        foreach (YamlNode item in list.Children)
        {
            string where = $"{fileName}:{item.Start.Line}: ingress rule {rules.Count + 1}";
            if (item is not YamlMappingNode rule)
            {
                throw new ConfigException($"{where}: must be a mapping with `hostname` and `service`");
            }

            string? hostname = null, service = null;
            foreach (var (keyNode, value) in rule.Children)
            {
                string key = YamlConfigFile.KeyName(keyNode, where, ["hostname", "service"]);
                switch (key)
                {
                    case "hostname": hostname = YamlConfigFile.Scalar(value, where, key).ToLowerInvariant(); break;
                    case "service": service = YamlConfigFile.Scalar(value, where, key); break;
                    default: throw new ConfigException($"{where}: unknown key '{key}'; allowed: hostname, service");
                }
            }

            if (service is null)
            {
                throw new ConfigException($"{where}: has no `service` (e.g. tcp://localhost:5432, or reject)");
            }

            if (hostname is not null && !YamlConfigFile.IsHostname(hostname, allowWildcard: true))
            {
                throw new ConfigException($"{where}: hostname '{hostname}' is not a DNS name or *.wildcard");
            }

            try
            {
                rules.Add(new IngressRule(hostname, IngressService.Parse(service)));
            }
            catch (FormatException ex)
            {
                throw new ConfigException($"{where}: {ex.Message}");
            }
        }

        try
        {
            return new IngressRules(rules);
        }
        catch (FormatException ex)
        {
            throw new ConfigException($"{fileName}:{node.Start.Line}: {ex.Message}");
        }
    }

    /// <summary>Durations as <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c>.</summary>
    internal static TimeSpan ParseDuration(string text, string where, string key) =>
        Durations.TryParse(text, TimeSpan.FromHours(24), out TimeSpan duration)
            ? duration
            : throw new ConfigException($"{where}: '{key}' must be a duration like 30s, 2m or 500ms (at most 24h), not '{text}'");
}
