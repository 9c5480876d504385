using System.CommandLine;
using Drawbridge.Cli.Commands;
using Drawbridge.Connector;
using Drawbridge.Connector.Ingress;
using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace Drawbridge.Tests.Cli;

/// <summary>
/// Every setting of <c>edge run</c> and <c>tunnel run</c> comes from the config file, then its
/// <c>DRAWBRIDGE_*</c> variable, then the flag, the later winning (issue 4 item 3, docs/CONFIG.md);
/// a bad value names where it came from.
/// </summary>
public sealed class ConfigPrecedenceTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Edge_FileThenEnvironmentThenFlag()
    {
        string config = Write("edge.yml", """
            data-dir: /srv/from-file
            listen: 127.0.0.1:1001
            grace-period: 11s
            store: postgres://file@db/drawbridge
            metrics: 127.0.0.1:9101
            log-level: warning
            cert: /file/cert.pem
            key: /file/key.pem
            """);

        // The file alone.
        var (fromFile, fileLevel) = Edge(["--config", config], []);
        Assert.Equal("/srv/from-file", fromFile.DataDirectory);
        Assert.Equal("127.0.0.1:1001", fromFile.Listen);
        Assert.Equal(TimeSpan.FromSeconds(11), fromFile.GracePeriod);
        Assert.Equal("postgres://file@db/drawbridge", fromFile.Store);
        Assert.Equal("/file/cert.pem", fromFile.CertificatePath);
        Assert.Equal("127.0.0.1:9101", fromFile.MetricsEndpoint?.ToString());
        Assert.Equal(LogLevel.Warning, fileLevel);

        // The environment over the file.
        Dictionary<string, string> environment = new()
        {
            ["DRAWBRIDGE_DATA_DIR"] = "/srv/from-env",
            ["DRAWBRIDGE_LISTEN"] = "127.0.0.1:1002",
            ["DRAWBRIDGE_GRACE_PERIOD"] = "12s",
            ["DRAWBRIDGE_STORE"] = "postgres://env@db/drawbridge",
            ["DRAWBRIDGE_METRICS"] = "127.0.0.1:9102",
            ["DRAWBRIDGE_LOG_LEVEL"] = "error",
            ["DRAWBRIDGE_CERT"] = "/env/cert.pem",
            ["DRAWBRIDGE_KEY"] = "/env/key.pem",
        };
        var (fromEnvironment, environmentLevel) = Edge(["--config", config], environment);
        Assert.Equal("/srv/from-env", fromEnvironment.DataDirectory);
        Assert.Equal("127.0.0.1:1002", fromEnvironment.Listen);
        Assert.Equal(TimeSpan.FromSeconds(12), fromEnvironment.GracePeriod);
        Assert.Equal("postgres://env@db/drawbridge", fromEnvironment.Store);
        Assert.Equal("/env/cert.pem", fromEnvironment.CertificatePath);
        Assert.Equal("127.0.0.1:9102", fromEnvironment.MetricsEndpoint?.ToString());
        Assert.Equal(LogLevel.Error, environmentLevel);

        // Flags over both.
        var (fromFlags, flagLevel) = Edge(["--config", config, "--data-dir", "/srv/from-flag", "--listen", "127.0.0.1:1003", "--grace-period", "13s",
            "--store", "postgres://flag@db/drawbridge", "--log-level", "debug", "--cert", "/flag/cert.pem", "--key", "/flag/key.pem", "--metrics", "[::1]:9103"], environment);
        Assert.Equal("/srv/from-flag", fromFlags.DataDirectory);
        Assert.Equal("127.0.0.1:1003", fromFlags.Listen);
        Assert.Equal(TimeSpan.FromSeconds(13), fromFlags.GracePeriod);
        Assert.Equal("postgres://flag@db/drawbridge", fromFlags.Store);
        Assert.Equal("/flag/key.pem", fromFlags.KeyPath);
        Assert.Equal("[::1]:9103", fromFlags.MetricsEndpoint?.ToString());
        Assert.Equal(LogLevel.Debug, flagLevel);
    }

    [Fact]
    public void Edge_Defaults_AndTheFileBesideTheData()
    {
        string data = _directory.Combine("data");
        Directory.CreateDirectory(data);
        var (defaults, level) = Edge(["--data-dir", data], []);
        Assert.Equal("0.0.0.0:443", defaults.Listen);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.GracePeriod);
        Assert.Null(defaults.Store);
        Assert.Null(defaults.MetricsEndpoint); // off unless asked for
        Assert.Equal(LogLevel.Information, level);

        File.WriteAllText(Path.Combine(data, "edge.yml"), "listen: 127.0.0.1:8443\n");
        Assert.Equal("127.0.0.1:8443", Edge(["--data-dir", data], []).Options.Listen);
        Assert.Equal("127.0.0.1:8443", Edge([], new() { ["DRAWBRIDGE_DATA_DIR"] = data }).Options.Listen);
    }

    [Theory]
    [InlineData(new[] { "--listen", "nowhere" }, "", "", "'nowhere' is not IP:PORT")]
    [InlineData(new string[0], "DRAWBRIDGE_LISTEN", "localhost", "'localhost' is not IP:PORT")]
    [InlineData(new[] { "--grace-period", "soon" }, "", "", "--grace-period 'soon': expected a duration")]
    [InlineData(new string[0], "DRAWBRIDGE_GRACE_PERIOD", "-5s", "DRAWBRIDGE_GRACE_PERIOD '-5s': expected a duration")]
    [InlineData(new[] { "--log-level", "loud" }, "", "", "--log-level 'loud': expected one of trace, debug, information, warning, error, critical, none")]
    [InlineData(new string[0], "DRAWBRIDGE_LOG_LEVEL", "2", "DRAWBRIDGE_LOG_LEVEL '2': expected one of")]
    [InlineData(new[] { "--cert", "/c.pem" }, "", "", "--cert and --key go together")]
    [InlineData(new string[0], "DRAWBRIDGE_KEY", "/k.pem", "--cert and --key go together")]
    [InlineData(new[] { "--metrics", "localhost:2000" }, "", "", "--metrics 'localhost:2000': the address must be an IP address, not a name")]
    [InlineData(new[] { "--metrics", "127.0.0.1:65536" }, "", "", "--metrics '127.0.0.1:65536': the port must be a number from 0 to 65535")]
    [InlineData(new[] { "--metrics", "127.0.0.1" }, "", "", "--metrics '127.0.0.1': no port")]
    [InlineData(new[] { "--metrics", "::1:2000" }, "", "", "--metrics '::1:2000': an IPv6 address goes in brackets")]
    [InlineData(new string[0], "DRAWBRIDGE_METRICS", "metrics.internal:9090", "DRAWBRIDGE_METRICS 'metrics.internal:9090': the address must be an IP address, not a name")]
    [InlineData(new string[0], "DRAWBRIDGE_METRICS", "127.0.0.1:-5", "DRAWBRIDGE_METRICS '127.0.0.1:-5': the port must be a number from 0 to 65535")]
    public void Edge_ABadValue_NamesWhereItCameFrom(string[] arguments, string variable, string value, string expected)
    {
        Dictionary<string, string> environment = variable.Length == 0 ? [] : new() { [variable] = value };

        var ex = Assert.Throws<FormatException>(() => Edge(["--data-dir", _directory.Path, .. arguments], environment));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_AnOversizedValue_IsNamedButNotEchoedWhole()
    {
        string huge = "127.0.0.1:" + new string('9', 100_000);

        var flag = Assert.Throws<FormatException>(() => Edge(["--data-dir", _directory.Path, "--metrics", huge], []));
        var variable = Assert.Throws<FormatException>(() => Connector(["--url", "tcp://127.0.0.1:1"], new() { ["DRAWBRIDGE_METRICS"] = huge }, null));

        Assert.StartsWith("--metrics '127.0.0.1:999", flag.Message, StringComparison.Ordinal);
        Assert.StartsWith("DRAWBRIDGE_METRICS '127.0.0.1:999", variable.Message, StringComparison.Ordinal);
        Assert.All(new[] { flag, variable }, ex => Assert.Contains("too long for IP:PORT", ex.Message, StringComparison.Ordinal));
        Assert.All(new[] { flag, variable }, ex => Assert.True(ex.Message.Length < 300, ex.Message));
    }

    [Fact]
    public void LogFormat_FileThenEnvironmentThenFlag_AndABadOneIsNamed()
    {
        string config = Write("format.yml", "log-format: json\n");
        Assert.False(EdgeWithFormat(["--data-dir", _directory.Path], []).Json);
        Assert.True(EdgeWithFormat(["--config", config], []).Json);
        Assert.False(EdgeWithFormat(["--config", config], new() { ["DRAWBRIDGE_LOG_FORMAT"] = "plain" }).Json);
        Assert.True(EdgeWithFormat(["--config", config, "--log-format", "json"], new() { ["DRAWBRIDGE_LOG_FORMAT"] = "plain" }).Json);

        var ex = Assert.Throws<FormatException>(() => EdgeWithFormat(["--data-dir", _directory.Path, "--log-format", "xml"], []));
        Assert.Equal("--log-format 'xml': expected plain or json", ex.Message);
    }

    [Fact]
    public void Connector_FileThenEnvironmentThenFlag()
    {
        ConnectorConfig file = ConnectorConfigLoader.Parse("""
            edge: 127.0.0.1:2001
            ha-connections: 2
            grace-period: 21s
            metrics: 127.0.0.1:9001
            log-level: warning
            ingress:
              - service: tcp://127.0.0.1:5432
            """, "config.yml");

        ConnectorOptions fromFile = Connector([], [], file);
        Assert.Equal("127.0.0.1:2001", fromFile.EdgeAddress);
        Assert.Equal(2, fromFile.HaConnections);
        Assert.Equal(TimeSpan.FromSeconds(21), fromFile.GracePeriod);
        Assert.Equal("127.0.0.1:9001", fromFile.MetricsEndpoint?.ToString());
        Assert.Equal("tcp://127.0.0.1:5432", fromFile.Ingress.Rules[0].Service.ToString());
        Assert.Equal(LogLevel.Warning, ConnectorLevel([], [], file));

        Dictionary<string, string> environment = new()
        {
            ["DRAWBRIDGE_EDGE"] = "127.0.0.1:2002",
            ["DRAWBRIDGE_HA_CONNECTIONS"] = "3",
            ["DRAWBRIDGE_GRACE_PERIOD"] = "22s",
            ["DRAWBRIDGE_METRICS"] = "127.0.0.1:9002",
            ["DRAWBRIDGE_LOG_LEVEL"] = "error",
            ["DRAWBRIDGE_URL"] = "tcp://127.0.0.1:6379",
        };
        ConnectorOptions fromEnvironment = Connector([], environment, file);
        Assert.Equal("127.0.0.1:2002", fromEnvironment.EdgeAddress);
        Assert.Equal(3, fromEnvironment.HaConnections);
        Assert.Equal(TimeSpan.FromSeconds(22), fromEnvironment.GracePeriod);
        Assert.Equal("127.0.0.1:9002", fromEnvironment.MetricsEndpoint?.ToString());
        Assert.Equal("tcp://127.0.0.1:6379", fromEnvironment.Ingress.Rules[0].Service.ToString());
        Assert.Equal(LogLevel.Error, ConnectorLevel([], environment, file));

        string[] flags = ["--edge", "127.0.0.1:2003", "--ha-connections", "5", "--grace-period", "23s", "--metrics", "127.0.0.1:9003",
            "--log-level", "debug", "--url", "tcp://127.0.0.1:3306"];
        ConnectorOptions fromFlags = Connector(flags, environment, file);
        Assert.Equal("127.0.0.1:2003", fromFlags.EdgeAddress);
        Assert.Equal(5, fromFlags.HaConnections);
        Assert.Equal(TimeSpan.FromSeconds(23), fromFlags.GracePeriod);
        Assert.Equal("127.0.0.1:9003", fromFlags.MetricsEndpoint?.ToString());
        Assert.Equal("tcp://127.0.0.1:3306", fromFlags.Ingress.Rules[0].Service.ToString());
        Assert.Equal(LogLevel.Debug, ConnectorLevel(flags, environment, file));
    }

    [Theory]
    [InlineData(new[] { "--ha-connections", "17" }, "", "", "--ha-connections '17': expected a whole number from 1 to 16")]
    [InlineData(new string[0], "DRAWBRIDGE_HA_CONNECTIONS", "four", "DRAWBRIDGE_HA_CONNECTIONS 'four': expected a whole number from 1 to 16")]
    [InlineData(new string[0], "DRAWBRIDGE_HA_CONNECTIONS", "+4", "DRAWBRIDGE_HA_CONNECTIONS '+4'")]
    [InlineData(new[] { "--grace-period", "1y" }, "", "", "--grace-period '1y': expected a duration")]
    [InlineData(new string[0], "DRAWBRIDGE_URL", "ftp://x:1", "has scheme 'ftp'")]
    [InlineData(new[] { "--metrics", "localhost:2000" }, "", "", "--metrics 'localhost:2000': the address must be an IP address, not a name")]
    [InlineData(new string[0], "DRAWBRIDGE_METRICS", "127.0.0.1:99999", "DRAWBRIDGE_METRICS '127.0.0.1:99999': the port must be a number from 0 to 65535")]
    public void Connector_ABadValue_NamesWhereItCameFrom(string[] arguments, string variable, string value, string expected)
    {
        Dictionary<string, string> environment = variable.Length == 0 ? [] : new() { [variable] = value };

        var ex = Assert.Throws<FormatException>(() => Connector(["--url", "tcp://127.0.0.1:1", .. arguments], environment, null));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        string path = _directory.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (Drawbridge.Edge.Hosting.EdgeRunOptions Options, LogLevel Level) Edge(string[] arguments, Dictionary<string, string> environment)
    {
        var (options, level, _) = EdgeWithFormat(arguments, environment);
        return (options, level);
    }

    private static (Drawbridge.Edge.Hosting.EdgeRunOptions Options, LogLevel Level, bool Json) EdgeWithFormat(string[] arguments, Dictionary<string, string> environment)
    {
        var flags = new EdgeRunFlags();
        var command = new Command("run");
        flags.AddTo(command);
        return flags.Build(command.Parse(arguments), name => environment.GetValueOrDefault(name));
    }

    private static ConnectorOptions Connector(string[] arguments, Dictionary<string, string> environment, ConnectorConfig? file)
    {
        var flags = new TunnelCommands.RunFlags();
        var command = new Command("run");
        flags.AddTo(command);
        var credential = new TunnelCredential(Guid.NewGuid(), "db", SecretHash.NewSecret(), "https://edge.example.com", null);
        // DRAWBRIDGE_URL is tested without --url: drop the default one given by the bad-value theory when the variable is set.
        string[] effective = environment.ContainsKey("DRAWBRIDGE_URL") && arguments is ["--url", _, .. var rest] ? rest : arguments;
        return flags.Build(command.Parse(effective), credential, file, name => environment.GetValueOrDefault(name));
    }

    private static LogLevel ConnectorLevel(string[] arguments, Dictionary<string, string> environment, ConnectorConfig? file)
    {
        var flags = new TunnelCommands.RunFlags();
        var command = new Command("run");
        flags.AddTo(command);
        return flags.Level(command.Parse(arguments), file, name => environment.GetValueOrDefault(name));
    }
}
