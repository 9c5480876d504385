using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Drawbridge.Configuration;

/// <summary>
/// The parts every Drawbridge YAML file shares (the connector's <c>config.yml</c>, the client's
/// <c>access.yml</c>): a size limit, a shape check before loading, and the small readers whose
/// errors name the file, the line and what is allowed.
/// </summary>
public static class YamlConfigFile
{
    /// <summary>Config files are a few hundred bytes; 1 MiB stops a wrong path (a log, a binary) early.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>A config is four levels deep (keys, a list, an item, its values); 32 leaves room and
    /// stops a hostile document before YamlDotNet's recursive loader overflows the stack.</summary>
    private const int MaxDepth = 32;

    /// <summary>Log level names, as <c>log-level:</c>, <c>--log-level</c> and <c>DRAWBRIDGE_LOG_LEVEL</c> take them.</summary>
    public static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    /// <summary>A log level by name (any case), returned in lowercase.</summary>
    public static string LogLevel(string text, string where, string key) =>
        LogLevels.Contains(text.ToLowerInvariant())
            ? text.ToLowerInvariant()
            : throw new ConfigException($"{where}: '{key}' must be one of {string.Join(", ", LogLevels)}, not '{text}'");

    /// <summary><c>log-format:</c> plain or json.</summary>
    public static string LogFormat(string text, string where, string key) =>
        text is "plain" or "json" ? text : throw new ConfigException($"{where}: '{key}' must be plain or json, not '{text}'");

    /// <summary>The text of <paramref name="path"/>, refusing a missing or oversized file.</summary>
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

    /// <summary>The top-level mapping of <paramref name="text"/>; <paramref name="emptyHint"/> says what an empty file lacks.</summary>
    public static YamlMappingNode ParseRoot(string text, string fileName, string[] keys, string emptyHint)
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
            throw new ConfigException($"{fileName}: the file is empty; {emptyHint}");
        }

        return yaml.Documents[0].RootNode as YamlMappingNode
            ?? throw new ConfigException($"{fileName}:{yaml.Documents[0].RootNode.Start.Line}: the top level must be a mapping of keys ({string.Join(", ", keys)})");
    }

    public static string KeyName(YamlNode keyNode, string where, string[] allowed) =>
        keyNode is YamlScalarNode { Value: { } key }
            ? key
            : throw new ConfigException($"{where}: a key must be a plain name; allowed: {string.Join(", ", allowed)}");

    public static string Scalar(YamlNode node, string where, string key) =>
        node is YamlScalarNode { Value: { Length: > 0 } value }
            ? value
            : throw new ConfigException($"{where}: '{key}' must be a single value");

    public static ConfigException UnknownKey(string where, string key, string[] allowed) =>
        new($"{where}: unknown key '{key}'; allowed: {string.Join(", ", allowed)}");

    /// <summary>A DNS name (lower case, labels of letters, digits and inner hyphens), or <c>*.</c> and one when <paramref name="allowWildcard"/>.</summary>
    public static bool IsHostname(string hostname, bool allowWildcard)
    {
        string name = allowWildcard && hostname.StartsWith("*.", StringComparison.Ordinal) ? hostname[2..] : hostname;
        return name.Length is > 0 and <= 253 && name.Split('.').All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' &&
            label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'));
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
                throw new ConfigException($"{fileName}:{parser.Current.Start.Line}: nested more than {MaxDepth} levels deep; a config file has keys, a list and its items");
            }

            if (parser.Current is MappingEnd or SequenceEnd)
            {
                depth--;
            }
        }
    }
}
