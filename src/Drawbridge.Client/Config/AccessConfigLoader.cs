using System.Net;
using Drawbridge.Client.Forwarding;
using Drawbridge.Configuration;
using YamlDotNet.RepresentationModel;

namespace Drawbridge.Client.Config;

/// <summary>
/// Reads <c>access.yml</c> for <c>drawbridge access run</c>. Every forward is checked before any
/// listener opens, and every error names the file, the line and what is allowed, so a bad file
/// never leaves half of its forwards running.
/// </summary>
internal static class AccessConfigLoader
{
    /// <summary>The variable a forward's secret comes from when the file names only the token id.</summary>
    public const string SecretVariable = "DRAWBRIDGE_SERVICE_TOKEN_SECRET";

    /// <summary>A service token secret is 64 hex characters; 4 KiB refuses a wrong file without reading it all.</summary>
    private const long MaxSecretFileBytes = 4096;

    private static readonly string[] Keys = ["edge", "ca-cert", "forwards"];

    private static readonly string[] ForwardKeys = ["hostname", "listen", "service-token-id", "service-token-secret", "service-token-secret-file"];

    private const string Example = "e.g.\n  forwards:\n    - hostname: db.example.com\n      listen: localhost:5432";

    public static AccessConfig Load(string path, Func<string, string?>? environment = null) =>
        Parse(YamlConfigFile.ReadText(path), path, environment ?? Environment.GetEnvironmentVariable);

    public static AccessConfig Parse(string text, string fileName, Func<string, string?> environment)
    {
        YamlMappingNode root = YamlConfigFile.ParseRoot(text, fileName, Keys, "it needs a `forwards:` list, " + Example);
        string directory = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".";
        var warnings = new SecretWarnings();
        string? edge = null, caCert = null;
        List<ForwardConfig>? forwards = null;
        foreach (var (keyNode, value) in root.Children)
        {
            string where = $"{fileName}:{keyNode.Start.Line}";
            string key = YamlConfigFile.KeyName(keyNode, where, Keys);
            switch (key)
            {
                case "edge": edge = YamlConfigFile.Scalar(value, where, key); break;
                case "ca-cert": caCert = Path.Combine(directory, YamlConfigFile.Scalar(value, where, key)); break;
                case "forwards": forwards = ParseForwards(value, fileName, directory, environment, warnings); break;
                default: throw YamlConfigFile.UnknownKey(where, key, Keys);
            }
        }

        if (forwards is null)
        {
            throw new ConfigException($"{fileName}: has no `forwards:` list, {Example}");
        }

        return new AccessConfig(fileName, edge, caCert, forwards, warnings.Messages);
    }

    private static List<ForwardConfig> ParseForwards(YamlNode node, string fileName, string directory, Func<string, string?> environment, SecretWarnings warnings)
    {
        if (node is not YamlSequenceNode list || list.Children.Count == 0)
        {
            throw new ConfigException($"{fileName}:{node.Start.Line}: forwards must be a list of hostname and listen pairs, {Example}");
        }

        var forwards = new List<ForwardConfig>();
        foreach (YamlNode item in list.Children)
        {
            string where = $"{fileName}:{item.Start.Line}: forward {forwards.Count + 1}";
            ForwardConfig forward = ParseForward(item, where, fileName, directory, environment, warnings);
            if (forwards.Find(other => Overlaps(other.Listen, forward.Listen)) is { } taken)
            {
                throw new ConfigException($"{where}: listen {forward.ListenText} is already used by the forward at {taken.Where}; every forward needs its own port");
            }

            forwards.Add(forward);
        }

        return forwards;
    }

    private static ForwardConfig ParseForward(YamlNode item, string where, string fileName, string directory, Func<string, string?> environment, SecretWarnings warnings)
    {
        if (item is not YamlMappingNode mapping)
        {
            throw new ConfigException($"{where}: must be a mapping with `hostname` and `listen`");
        }

        string? hostname = null, listen = null, tokenId = null, secret = null, secretFile = null;
        foreach (var (keyNode, value) in mapping.Children)
        {
            string key = YamlConfigFile.KeyName(keyNode, where, ForwardKeys);
            switch (key)
            {
                case "hostname": hostname = YamlConfigFile.Scalar(value, where, key).Trim().TrimEnd('.').ToLowerInvariant(); break;
                case "listen": listen = YamlConfigFile.Scalar(value, where, key); break;
                case "service-token-id": tokenId = YamlConfigFile.Scalar(value, where, key); break;
                case "service-token-secret": secret = YamlConfigFile.Scalar(value, where, key); warnings.Check(fileName); break;
                case "service-token-secret-file": secretFile = Path.Combine(directory, YamlConfigFile.Scalar(value, where, key)); break;
                default: throw YamlConfigFile.UnknownKey($"{fileName}:{keyNode.Start.Line}: forward", key, ForwardKeys);
            }
        }

        if (hostname is null || listen is null)
        {
            throw new ConfigException($"{where}: needs both `hostname` (the app, e.g. db.example.com) and `listen` (e.g. localhost:5432)");
        }

        if (!YamlConfigFile.IsHostname(hostname, allowWildcard: false))
        {
            throw new ConfigException($"{where}: hostname '{hostname}' is not a DNS name (letters, digits, inner hyphens and dots, e.g. db.example.com)");
        }

        IPEndPoint endpoint = ParseListen(listen, where);
        secret = ResolveSecret(where, tokenId, secret, secretFile, environment, warnings);
        return new ForwardConfig(where, hostname, endpoint, listen, tokenId, secret);
    }

    private static IPEndPoint ParseListen(string listen, string where)
    {
        try
        {
            IPEndPoint endpoint = LocalForwarder.ParseListen(listen);
            return endpoint.Port is >= 1 and <= 65535
                ? endpoint
                : throw new FormatException("port out of range");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ConfigException($"{where}: listen '{listen}' must be localhost:PORT or IP:PORT with a port from 1 to 65535, e.g. localhost:5432 or 127.0.0.1:6380");
        }
    }

    private static string? ResolveSecret(string where, string? tokenId, string? secret, string? secretFile, Func<string, string?> environment, SecretWarnings warnings)
    {
        if (tokenId is null)
        {
            return secret is null && secretFile is null
                ? null
                : throw new ConfigException($"{where}: a service token secret needs its `service-token-id`");
        }

        if (secret is not null && secretFile is not null)
        {
            throw new ConfigException($"{where}: give `service-token-secret` or `service-token-secret-file`, not both");
        }

        if (secretFile is not null)
        {
            var info = new FileInfo(secretFile);
            if (!info.Exists || info.Length > MaxSecretFileBytes)
            {
                throw new ConfigException($"{where}: service-token-secret-file {secretFile} {(info.Exists ? "is too large for a secret" : "does not exist")}");
            }

            warnings.Check(secretFile);
            return File.ReadAllText(secretFile).Trim();
        }

        return secret ?? (environment(SecretVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : throw new ConfigException($"{where}: service-token-id has no secret: add `service-token-secret-file: PATH` (owner-only), or set {SecretVariable}"));
    }

    /// <summary>Two listeners collide on the same port when the addresses are equal or either is a wildcard.</summary>
    private static bool Overlaps(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port && (a.Address.Equals(b.Address) || IsWildcard(a.Address) || IsWildcard(b.Address));

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}
