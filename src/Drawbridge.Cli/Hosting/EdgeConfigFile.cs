using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;
using YamlDotNet.RepresentationModel;

namespace Drawbridge.Cli.Hosting;

/// <summary>
/// <c>edge.yml</c>: the settings of <c>drawbridge edge run</c> as a file (each also a flag and a
/// <c>DRAWBRIDGE_*</c> variable, which win over it; docs/CONFIG.md). Null means "not in the file".
/// What <c>edge init</c> decided (hostname, port, identity providers, SMTP) stays in <c>edge.json</c>.
/// </summary>
internal sealed record EdgeConfigFile(string? DataDirectory, string? Listen, string? Certificate, string? Key, TimeSpan? GracePeriod, string? Store, string? LogLevel)
{
    public static readonly string[] Keys = ["data-dir", "listen", "cert", "key", "grace-period", "store", "metrics", "log-level", "log-format"];

    /// <summary><c>log-format:</c> plain or json, as given.</summary>
    public string? LogFormat { get; init; }

    /// <summary><c>metrics:</c> IP:PORT of the plain-HTTP /metrics and /ready listener.</summary>
    public System.Net.IPEndPoint? Metrics { get; init; }

    public static EdgeConfigFile Load(string path) => Parse(YamlConfigFile.ReadText(path), path);

    public static EdgeConfigFile Parse(string text, string fileName)
    {
        YamlMappingNode root = YamlConfigFile.ParseRoot(text, fileName, Keys, $"give at least one of {string.Join(", ", Keys)}, or remove the file");
        var config = new EdgeConfigFile(null, null, null, null, null, null, null);
        foreach (var (keyNode, value) in root.Children)
        {
            string where = $"{fileName}:{keyNode.Start.Line}";
            string key = YamlConfigFile.KeyName(keyNode, where, Keys);
            string Text() => YamlConfigFile.Scalar(value, where, key);
            config = key switch
            {
                "data-dir" => config with { DataDirectory = Text() },
                "listen" => config with { Listen = CheckListen(Text(), where) },
                "cert" => config with { Certificate = Text() },
                "key" => config with { Key = Text() },
                "grace-period" => config with { GracePeriod = ConnectorConfigLoader.ParseDuration(Text(), where, key) },
                "store" => config with { Store = Text() },
                "metrics" => config with { Metrics = ConnectorConfigLoader.ParseMetrics(Text(), where, key) },
                "log-level" => config with { LogLevel = YamlConfigFile.LogLevel(Text(), where, key) },
                "log-format" => config with { LogFormat = YamlConfigFile.LogFormat(Text(), where, key) },
                _ => throw new ConfigException($"{where}: unknown key '{key}'; allowed: {string.Join(", ", Keys)}"),
            };
        }

        if ((config.Certificate is null) != (config.Key is null))
        {
            throw new ConfigException($"{fileName}: cert and key go together");
        }

        return config;
    }

    private static string CheckListen(string text, string where)
    {
        try
        {
            Edge.Hosting.EdgeHost.ParseListen(text);
            return text;
        }
        catch (FormatException)
        {
            throw new ConfigException($"{where}: 'listen' must be IP:PORT such as 0.0.0.0:443 or 127.0.0.1:8443, not '{text}'");
        }
    }
}
