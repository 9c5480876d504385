using Drawbridge.Cli.Hosting;
using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Cli;

/// <summary><c>edge.yml</c>: every setting, and every way to get it wrong, named with the file and line.</summary>
public sealed class EdgeConfigFileTests
{
    [Fact]
    public void EveryKey_IsRead()
    {
        EdgeConfigFile file = EdgeConfigFile.Parse("""
            # the edge of example.com
            data-dir: /var/lib/drawbridge
            listen: "[::]:443"
            cert: /etc/drawbridge/cert.pem
            key: /etc/drawbridge/key.pem
            grace-period: 1m
            store: postgres://drawbridge@db/drawbridge
            metrics: "[::1]:2000"
            log-level: Warning
            """, "edge.yml");

        Assert.Equal(new EdgeConfigFile("/var/lib/drawbridge", "[::]:443", "/etc/drawbridge/cert.pem", "/etc/drawbridge/key.pem",
            TimeSpan.FromMinutes(1), "postgres://drawbridge@db/drawbridge", "warning") { Metrics = System.Net.IPEndPoint.Parse("[::1]:2000") }, file);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "listen: 0.0.0.0:443\nport: 443\n", "edge.yml:2: unknown key 'port'; allowed: data-dir, listen, cert, key, grace-period, store, metrics, log-level, log-format" },
        { "listen: everywhere\n", "edge.yml:1: 'listen' must be IP:PORT such as 0.0.0.0:443 or 127.0.0.1:8443, not 'everywhere'" },
        { "listen: 0.0.0.0:99999\n", "edge.yml:1: 'listen' must be IP:PORT" },
        { "grace-period: forever\n", "edge.yml:1: 'grace-period' must be a duration like 30s, 2m or 500ms (at most 24h), not 'forever'" },
        { "log-level: chatty\n", "edge.yml:1: 'log-level' must be one of trace, debug, information, warning, error, critical, none, not 'chatty'" },
        { "cert: /c.pem\n", "edge.yml: cert and key go together" },
        { "log-format: xml\n", "edge.yml:1: 'log-format' must be plain or json, not 'xml'" },
        { "metrics: localhost:2000\n", "edge.yml:1: 'metrics': the address must be an IP address, not a name: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface); not 'localhost:2000'" },
        { "metrics: 127.0.0.1:65536\n", "edge.yml:1: 'metrics': the port must be a number from 0 to 65535; not '127.0.0.1:65536'" },
        { "metrics: 127.0.0.1\n", "edge.yml:1: 'metrics': no port: expected IP:PORT such as 127.0.0.1:2000 or [::1]:2000; not '127.0.0.1'" },
        { "metrics: \"::1:2000\"\n", "edge.yml:1: 'metrics': an IPv6 address goes in brackets, e.g. [::1]:2000" },
        { "metrics: 127.0.0.1:" + new string('9', 5000) + "\n", "edge.yml:1: 'metrics': too long for IP:PORT (at most 64 characters), expected e.g. 127.0.0.1:2000 or [::1]:2000; not '127.0.0.1:9999" },
        { "metrics: [127.0.0.1, 2000]\n", "edge.yml:1: 'metrics' must be a single value" },
        { "store:\n  - a\n  - b\n", "edge.yml:1: 'store' must be a single value" },
        { "listen:\n", "edge.yml:1: 'listen' must be a single value" },
        { "- listen: 0.0.0.0:443\n", "edge.yml:1: the top level must be a mapping of keys (data-dir, listen, cert, key, grace-period, store, metrics, log-level, log-format)" },
        { "", "edge.yml: the file is empty; give at least one of data-dir, listen" },
        { "listen: [0.0.0.0:443\n", "edge.yml:2: not valid YAML" },
        { "? [a, b]\n: c\n", "edge.yml:1: a key must be a plain name; allowed: data-dir" },
        { "a: &x [1, 2]\nb: *x\n", "edge.yml:2: the alias *x repeats a list or mapping" },
        { new string('[', 40) + new string(']', 40) + "\n", "edge.yml:1: nested more than 32 levels deep" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void ABadFile_IsRefusedNamingTheLineAndWhatIsAllowed(string text, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigFile.Parse(text, "edge.yml"));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOversizedMetricsValue_IsNotEchoedWhole()
    {
        var ex = Assert.Throws<ConfigException>(() => EdgeConfigFile.Parse("metrics: 127.0.0.1:" + new string('9', 50_000) + "\n", "edge.yml"));

        Assert.True(ex.Message.Length < 300, ex.Message);
    }

    [Fact]
    public void AMissingOrOversizedFile_IsRefusedBeforeParsing()
    {
        using var directory = TempDirectory.Create();
        string huge = directory.Combine("edge.yml");
        File.WriteAllText(huge, "# " + new string('x', 2 * 1024 * 1024));

        Assert.Equal($"{huge}: {new FileInfo(huge).Length} bytes is too large for a config file (limit 1048576)",
            Assert.Throws<ConfigException>(() => EdgeConfigFile.Load(huge)).Message);
        Assert.Equal($"{directory.Combine("none.yml")}: no such file", Assert.Throws<ConfigException>(() => EdgeConfigFile.Load(directory.Combine("none.yml"))).Message);
    }
}
