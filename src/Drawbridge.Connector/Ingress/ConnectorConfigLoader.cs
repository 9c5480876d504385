using System.Globalization;
using Drawbridge.Protocol.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Drawbridge.Connector.Ingress;

/// <summary>Reads <c>config.yml</c>. Every error names the file, the line and the allowed values.</summary>
internal static class ConnectorConfigLoader
{
    /// <summary>Config files are a few hundred bytes; 1 MiB stops a wrong path (a log, a binary) early.</summary>
    private const long MaxFileBytes = 1024 * 1024;

    /// <summary>A config is four levels deep (keys, the ingress list, a rule, its values); 32 leaves
    /// room and stops a hostile document before YamlDotNet's recursive loader overflows the stack.</summary>
    private const int MaxDepth = 32;

    private static readonly string[] Keys = ["tunnel", "credentials-file", "ha-connections", "grace-period", "metrics", "ingress"];

    public static ConnectorConfig Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ConfigException($"{path}: no such file");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ConfigException($"{path}: {info.Length} bytes is too large for a config file (limit {MaxFileBytes})");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static ConnectorConfig Parse(string text, string fileName)
    {
        var yaml = new YamlStream();
        try
        {
            CheckShape(text, fileName);
            yaml.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ConfigException($"{fileName}:{ex.Start.Line}: not valid YAML: {ex.Message}");
        }

        if (yaml.Documents.Count == 0)
        {
            throw new ConfigException($"{fileName}: the file is empty; it needs at least an `ingress:` list");
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException($"{fileName}:{yaml.Documents[0].RootNode.Start.Line}: the top level must be a mapping of keys ({string.Join(", ", Keys)})");
        }

        string? tunnel = null, credentials = null, metrics = null;
        int? ha = null;
        TimeSpan? grace = null;
        IngressRules? ingress = null;
        foreach (var (keyNode, value) in root.Children)
        {
            string where = $"{fileName}:{keyNode.Start.Line}";
            string key = KeyName(keyNode, where, Keys);
            switch (key)
            {
                case "tunnel": tunnel = Scalar(value, where, key); break;
                case "credentials-file": credentials = Scalar(value, where, key); break;
                case "metrics": metrics = Scalar(value, where, key); break;
                case "ha-connections":
                    ha = int.TryParse(Scalar(value, where, key), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 16
                        ? n
                        : throw new ConfigException($"{where}: ha-connections must be a whole number from 1 to 16");
                    break;
                case "grace-period": grace = ParseDuration(Scalar(value, where, key), where, key); break;
                case "ingress": ingress = ParseIngress(value, fileName); break;
                default:
                    throw new ConfigException($"{where}: unknown key '{key}'; allowed: {string.Join(", ", Keys)}");
            }
        }

        return new ConnectorConfig(tunnel, credentials, ha, grace, metrics, ingress);
    }

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
                string key = KeyName(keyNode, where, ["hostname", "service"]);
                switch (key)
                {
                    case "hostname": hostname = Scalar(value, where, key).ToLowerInvariant(); break;
                    case "service": service = Scalar(value, where, key); break;
                    default: throw new ConfigException($"{where}: unknown key '{key}'; allowed: hostname, service");
                }
            }

            if (service is null)
            {
                throw new ConfigException($"{where}: has no `service` (e.g. tcp://localhost:5432, or reject)");
            }

            if (hostname is not null && !IsHostnamePattern(hostname))
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

    /// <summary>
    /// Walks the document's events (iteratively, so depth costs no stack) before it is loaded:
    /// too deep a nesting is refused, and so is an alias of a list or mapping, which is how a
    /// "billion laughs" document grows exponentially (and, used as a key, hangs the loader's
    /// hashing). Aliases of plain values stay allowed, e.g. one service named twice.
    /// </summary>
    private static void CheckShape(string text, string fileName)
    {
        var parser = new Parser(new StringReader(text));
        var anchorIsScalar = new Dictionary<string, bool>(StringComparer.Ordinal);
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case NodeEvent { Anchor.IsEmpty: false } node:
                    anchorIsScalar[node.Anchor.Value] = node is Scalar; // anchors may be re-defined; the last one counts
                    break;
                case AnchorAlias alias when anchorIsScalar.TryGetValue(alias.Value.Value, out bool scalar) && !scalar:
                    throw new ConfigException($"{fileName}:{alias.Start.Line}: the alias *{alias.Value.Value} repeats a list or mapping; only plain values may be repeated with &anchor / *alias");
            }

            if (parser.Current is MappingStart or SequenceStart && ++depth > MaxDepth)
            {
                throw new ConfigException($"{fileName}:{parser.Current.Start.Line}: nested more than {MaxDepth} levels deep; a config file has keys, the ingress list and its rules");
            }

            if (parser.Current is MappingEnd or SequenceEnd)
            {
                depth--;
            }
        }
    }

    private static string KeyName(YamlNode keyNode, string where, string[] allowed) =>
        keyNode is YamlScalarNode { Value: { } key }
            ? key
            : throw new ConfigException($"{where}: a key must be a plain name; allowed: {string.Join(", ", allowed)}");

    private static bool IsHostnamePattern(string hostname)
    {
        string name = hostname.StartsWith("*.", StringComparison.Ordinal) ? hostname[2..] : hostname;
        return name.Length is > 0 and <= 253 && name.Split('.').All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' &&
            label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'));
    }

    private static string Scalar(YamlNode node, string where, string key) =>
        node is YamlScalarNode { Value: { Length: > 0 } value }
            ? value
            : throw new ConfigException($"{where}: '{key}' must be a single value");

    /// <summary>Durations as <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c>.</summary>
    internal static TimeSpan ParseDuration(string text, string where, string key) =>
        Durations.TryParse(text, TimeSpan.FromHours(24), out TimeSpan duration)
            ? duration
            : throw new ConfigException($"{where}: '{key}' must be a duration like 30s, 2m or 500ms (at most 24h), not '{text}'");
}
