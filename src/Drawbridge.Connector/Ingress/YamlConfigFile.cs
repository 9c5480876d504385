using Drawbridge.Protocol.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Drawbridge.Connector.Ingress;

/// <summary>
/// The YAML config files (the connector's <c>config.yml</c>, the edge's <c>edge.yml</c>, the
/// client's forwards): read with a size limit, checked for hostile shapes before loading, and
/// every error naming the file, the line and what is allowed.
/// </summary>
internal static class YamlConfigFile
{
    /// <summary>Config files are a few hundred bytes; 1 MiB stops a wrong path (a log, a binary) early.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>A config is a few levels deep (keys, a list, its items, their values); 32 leaves
    /// room and stops a hostile document before YamlDotNet's recursive loader overflows the stack.</summary>
    private const int MaxDepth = 32;

    public static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    public static string ReadText(string path)
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

        return File.ReadAllText(path);
    }

    /// <summary>The document's top-level mapping; <paramref name="whenEmpty"/> says what an empty file lacks.</summary>
    public static YamlMappingNode ParseRoot(string text, string fileName, string[] keys, string whenEmpty)
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
            throw new ConfigException($"{fileName}: the file is empty; {whenEmpty}");
        }

        return yaml.Documents[0].RootNode as YamlMappingNode
            ?? throw new ConfigException($"{fileName}:{yaml.Documents[0].RootNode.Start.Line}: the top level must be a mapping of keys ({string.Join(", ", keys)})");
    }

    public static string Scalar(YamlNode node, string where, string key) =>
        node is YamlScalarNode { Value: { Length: > 0 } value }
            ? value
            : throw new ConfigException($"{where}: '{key}' must be a single value");

    /// <summary>Durations as <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c>.</summary>
    public static TimeSpan Duration(string text, string where, string key) =>
        Durations.TryParse(text, TimeSpan.FromHours(24), out TimeSpan duration)
            ? duration
            : throw new ConfigException($"{where}: '{key}' must be a duration like 30s, 2m or 500ms (at most 24h), not '{text}'");

    /// <summary>A log level by name (any case), returned in lowercase.</summary>
    public static string LogLevel(string text, string where, string key) =>
        LogLevels.Contains(text.ToLowerInvariant())
            ? text.ToLowerInvariant()
            : throw new ConfigException($"{where}: '{key}' must be one of {string.Join(", ", LogLevels)}, not '{text}'");

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
                throw new ConfigException($"{fileName}:{parser.Current.Start.Line}: nested more than {MaxDepth} levels deep; a config file has keys and a few lists");
            }

            if (parser.Current is MappingEnd or SequenceEnd)
            {
                depth--;
            }
        }
    }

    public static string KeyName(YamlNode keyNode, string where, string[] allowed) =>
        keyNode is YamlScalarNode { Value: { } key }
            ? key
            : throw new ConfigException($"{where}: a key must be a plain name; allowed: {string.Join(", ", allowed)}");

}
