using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;
using Drawbridge.Tests.Fixtures;
using static Drawbridge.Tests.Connector.ConfigAssert;

namespace Drawbridge.Tests.Connector;

/// <summary>Valid files, and every key's wrong values: each error names the file, the line and what is allowed.</summary>
public sealed class ConnectorConfigLoaderTests
{
    private const string AllowedKeys = "allowed: tunnel, credentials-file, edge, ha-connections, grace-period, metrics, log-level, log-format, ingress";

    private static readonly string FullConfig = Yaml(
        "# db-prod connector",
        "tunnel: db-prod",
        "credentials-file: /etc/drawbridge/db-prod.json",
        "ha-connections: 4",
        "grace-period: 45s",
        "metrics: 127.0.0.1:9300",
        "ingress:",
        "  - hostname: db.example.com",
        "    service: tcp://localhost:5432",
        "  - hostname: \"*.ssh.example.com\"",
        "    service: ssh://bastion.internal",
        "  - hostname: RDP.Example.com",
        "    service: rdp://[::1]",
        "  - service: http_status:404");

    [Fact]
    public void Parse_FullConfig_ReadsEveryKey()
    {
        ConnectorConfig config = Parses(FullConfig);

        Assert.Equal("db-prod", config.Tunnel);
        Assert.Equal("/etc/drawbridge/db-prod.json", config.CredentialsFile);
        Assert.Equal(4, config.HaConnections);
        Assert.Equal(TimeSpan.FromSeconds(45), config.GracePeriod);
        Assert.Equal("127.0.0.1:9300", config.Metrics?.ToString());
        Assert.Equal(
            ["db.example.com → tcp://localhost:5432", "*.ssh.example.com → tcp://bastion.internal:22", "rdp.example.com → tcp://[::1]:3389", "(catch-all) → reject"],
            config.Ingress!.Rules.Select(r => r.ToString()));
    }

    [Fact]
    public void Parse_FullConfig_RulesRoundTripThroughTheirTextForm()
    {
        IngressRules rules = Parses(FullConfig).Ingress!;

        string rewritten = Yaml(["ingress:", .. rules.Rules.SelectMany(r => r.Hostname is null
            ? new[] { $"  - service: {r.Service}" }
            : [$"  - hostname: \"{r.Hostname}\"", $"    service: {r.Service}"])]);
        IngressRules reread = Parses(rewritten).Ingress!;

        Assert.Equal(rules.Rules, reread.Rules);
    }

    [Fact]
    public void Load_ReadsTheSameConfigFromAFile()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("config.yml");
        File.WriteAllText(path, FullConfig);

        ConnectorConfig config = ConnectorConfigLoader.Load(path);

        Assert.Equal(Parses(FullConfig) with { Ingress = null }, config with { Ingress = null });
        Assert.Equal(Parses(FullConfig).Ingress!.Rules, config.Ingress!.Rules);
    }

    [Fact]
    public void Parse_OnlyIngress_LeavesTheOtherSettingsUnset()
    {
        ConnectorConfig config = Parses(Yaml("ingress:", "  - service: tcp://localhost:22"));

        Assert.Equal(new ConnectorConfig(null, null, null, null, null, config.Ingress), config);
        Assert.Equal(new IngressService("localhost", 22), Assert.Single(config.Ingress!.Rules).Service);
    }

    [Fact]
    public void Parse_AliasOfAPlainValue_RepeatsIt()
    {
        ConnectorConfig config = Parses(Yaml(
            "ingress:",
            "  - hostname: db.example.com",
            "    service: &db tcp://localhost:5432",
            "  - hostname: db2.example.com",
            "    service: *db",
            "  - service: reject"));

        Assert.Equal(config.Ingress!.Rules[0].Service, config.Ingress.Rules[1].Service);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("16", 16)]
    public void Parse_HaConnections_AcceptsOneToSixteen(string value, int expected) =>
        Assert.Equal(expected, Parses(Yaml($"ha-connections: {value}")).HaConnections);

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("0s", 0)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("24h", 86_400_000)]
    public void Parse_GracePeriod_AcceptsDurationsUpToADay(string value, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Parses(Yaml($"grace-period: {value}")).GracePeriod);

    [Fact]
    public void Parse_UnknownTopLevelKey_ListsTheAllowedKeys() =>
        Refuses(Yaml("tunnel: db", "", "tunel: db"), 3, "unknown key 'tunel'", AllowedKeys);

    [Fact]
    public void Parse_AListAsAKey_IsRefusedListingTheAllowedKeys() =>
        Refuses(Yaml("tunnel: db", "[tunnel, metrics]: x"), 2, "a key must be a plain name", AllowedKeys);

    [Fact]
    public void Parse_DuplicateKey_IsInvalidYaml() =>
        Refuses(Yaml("tunnel: a", "tunnel: b"), 2, "not valid YAML", "Duplicate key");

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("+4")]
    [InlineData("4.0")]
    [InlineData("99999999999999999999")]
    public void Parse_HaConnectionsOutOfRange_SaysOneToSixteen(string value) =>
        Refuses(Yaml("tunnel: db", $"ha-connections: {value}"), 2, "ha-connections must be a whole number from 1 to 16");

    [Theory]
    [InlineData("5 parsecs")]
    [InlineData("-1s")]
    [InlineData("25h")]
    [InlineData("86401s")]
    [InlineData("30")]
    [InlineData("1e3s")]
    [InlineData("NaNs")]
    [InlineData("Infinitys")]
    [InlineData("-Infinitys")]
    [InlineData("1.5.2s")]
    public void Parse_BadGracePeriod_ShowsTheAllowedForms(string value) =>
        Refuses(Yaml($"grace-period: \"{value}\""), 1, "'grace-period' must be a duration like 30s, 2m or 500ms (at most 24h)", $"not '{value}'");

    [Theory]
    [InlineData("localhost:2000", "'metrics': the address must be an IP address, not a name")]
    [InlineData("127.0.0.1:70000", "'metrics': the port must be a number from 0 to 65535; not '127.0.0.1:70000'")]
    [InlineData("127.0.0.1", "'metrics': no port")]
    [InlineData("\"::1:2000\"", "'metrics': an IPv6 address goes in brackets")]
    [InlineData("http://127.0.0.1:2000", "'metrics': give IP:PORT without a scheme")]
    public void Parse_BadMetrics_SaysWhatAnAddressLooksLike(string value, string expected) =>
        Refuses(Yaml("tunnel: db", $"metrics: {value}"), 2, expected);

    [Fact]
    public void Parse_OversizedMetrics_IsRefusedWithoutEchoingItWhole()
    {
        string value = "127.0.0.1:" + new string('7', 50_000);

        ConfigException ex = Refuses(Yaml($"metrics: {value}"), 1, "'metrics': too long for IP:PORT (at most 64 characters)");

        Assert.True(ex.Message.Length < 300, ex.Message);
    }

    [Theory]
    [InlineData("tunnel: \"\"", "'tunnel' must be a single value")]
    [InlineData("tunnel: [a, b]", "'tunnel' must be a single value")]
    [InlineData("metrics: {port: 1}", "'metrics' must be a single value")]
    [InlineData("credentials-file:", "'credentials-file' must be a single value")]
    public void Parse_SettingThatIsNotOneValue_SaysSo(string line, string expected) =>
        Refuses(Yaml(line), 1, expected);

    [Fact]
    public void Parse_EmptyFile_SaysAnIngressListIsNeeded()
    {
        foreach (string text in new[] { "", "\n\n", "# only a comment\n" })
        {
            var ex = Assert.Throws<ConfigException>(() => Parses(text));
            Assert.Equal($"{FileName}: the file is empty; it needs at least an `ingress:` list", ex.Message);
        }
    }

    [Theory]
    [InlineData("- tunnel: db\n- ingress: []\n", 1)]
    [InlineData("just some text\n", 1)]
    [InlineData("# a list follows\n\n- a\n", 3)]
    public void Parse_TopLevelThatIsNotAMapping_ListsTheAllowedKeys(string text, int line) =>
        Refuses(text, line, "the top level must be a mapping of keys (tunnel, credentials-file, edge, ha-connections, grace-period, metrics, log-level, log-format, ingress)");

    [Theory]
    [InlineData("tunnel: db\ningress:\n  - service: reject\n\tx: 1\n", 3)]
    [InlineData("tunnel: \"db\ningress: []\n", 1)]
    [InlineData("tunnel: db\n  metrics: x\n", 2)]
    [InlineData("ingress: [\n", 2)]
    [InlineData("tunnel: *nowhere\n", 1)]
    public void Parse_InvalidYaml_NamesTheFileAndLine(string text, int line) =>
        Refuses(text, line, "not valid YAML");

    /// <summary>YamlDotNet marks this one error at 1:1 whatever line the tab is on, so only the file and the cause are asserted.</summary>
    [Fact]
    public void Parse_TabIndentation_IsInvalidYamlSayingTab()
    {
        var ex = Assert.Throws<ConfigException>(() => Parses("tunnel: db\ningress:\n\t- service: reject\n"));

        Assert.StartsWith($"{FileName}:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tab", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingress:\n", "ingress must be a list of rules")]
    [InlineData("ingress: []\n", "ingress must be a list of rules")]
    [InlineData("ingress: {service: reject}\n", "ingress must be a list of rules")]
    [InlineData("ingress: reject\n", "ingress must be a list of rules")]
    public void Parse_IngressThatIsNotAListOfRules_ShowsAnExample(string text, string expected) =>
        Refuses(text, 1, expected, "- hostname: db.example.com", "service: tcp://localhost:5432");

    [Fact]
    public void Parse_RuleThatIsNotAMapping_NamesTheRule() =>
        Refuses(Yaml("ingress:", "  - service: reject", "  - tcp://localhost:22"), 3, "ingress rule 2: must be a mapping with `hostname` and `service`");

    [Fact]
    public void Parse_UnknownRuleKey_ListsHostnameAndService() =>
        Refuses(Yaml("ingress:", "  - hostname: db.example.com", "    path: /api", "    service: tcp://localhost:5432", "  - service: reject"),
            2, "ingress rule 1: unknown key 'path'; allowed: hostname, service");

    [Fact]
    public void Parse_RuleWithAListAsAKey_ListsHostnameAndService() =>
        Refuses(Yaml("ingress:", "  - [service]: reject"), 2, "ingress rule 1: a key must be a plain name; allowed: hostname, service");

    [Fact]
    public void Parse_RuleWithoutService_ShowsExamples() =>
        Refuses(Yaml("tunnel: db", "ingress:", "  - hostname: db.example.com", "  - service: reject"),
            3, "ingress rule 1: has no `service` (e.g. tcp://localhost:5432, or reject)");

    [Fact]
    public void Parse_RuleWithABadService_NamesTheRuleAndTheService() =>
        Refuses(Yaml("ingress:", "  - hostname: db.example.com", "    service: http://localhost:8080", "  - service: reject"),
            2, "ingress rule 1: service 'http://localhost:8080' has scheme 'http'; use tcp://");

    [Theory]
    [InlineData("db example.com")]
    [InlineData("bücher.example.com")]
    [InlineData("-db.example.com")]
    [InlineData("db-.example.com")]
    [InlineData("db..example.com")]
    [InlineData("db.example.com.")]
    [InlineData("db_1.example.com")]
    [InlineData("*")]
    [InlineData("*.*.example.com")]
    [InlineData("db.*.example.com")]
    [InlineData("*example.com")]
    [InlineData("db.example.com:5432")]
    public void Parse_BadHostnamePattern_IsNamedAndTheAllowedFormsGiven(string hostname) =>
        Refuses(Yaml("ingress:", "  - service: tcp://localhost:22", $"    hostname: \"{hostname}\"", "  - service: reject"),
            2, "ingress rule 1: hostname '", "' is not a DNS name or *.wildcard");

    [Theory]
    [InlineData(254)]
    [InlineData(300)]
    public void Parse_HostnameLongerThan253_IsRefused(int length)
    {
        // Labels of 63 (the most a label may have), then a shorter one, then ".com".
        int body = length - ".com".Length;
        string hostname = string.Concat(Enumerable.Repeat(new string('a', 63) + ".", body / 64)) + new string('b', body % 64) + ".com";
        Assert.Equal(length, hostname.Length);

        Refuses(Yaml("ingress:", $"  - hostname: {hostname}", "    service: tcp://localhost:22", "  - service: reject"),
            2, "is not a DNS name or *.wildcard");
    }

    [Fact]
    public void Parse_LabelLongerThan63_IsRefused() =>
        Refuses(Yaml("ingress:", $"  - hostname: {new string('a', 64)}.com", "    service: tcp://localhost:22", "  - service: reject"),
            2, "is not a DNS name or *.wildcard");

    [Fact]
    public void Parse_WithoutCatchAllLast_NamesTheIngressLine() =>
        Refuses(Yaml("tunnel: db", "ingress:", "  - hostname: db.example.com", "    service: tcp://localhost:5432"),
            3, "the last ingress rule must be a catch-all");

    [Fact]
    public void Parse_CatchAllInTheMiddle_NamesTheRule() =>
        Refuses(Yaml("ingress:", "  - service: tcp://localhost:22", "  - hostname: db.example.com", "    service: tcp://localhost:5432", "  - service: reject"),
            2, "ingress rule 1 has no hostname", "only the last rule may be a catch-all");
}
