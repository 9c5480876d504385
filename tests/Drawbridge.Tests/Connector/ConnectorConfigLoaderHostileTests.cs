using System.Globalization;
using System.Text;
using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;
using Drawbridge.Tests.Fixtures;
using static Drawbridge.Tests.Connector.ConfigAssert;

namespace Drawbridge.Tests.Connector;

/// <summary>Files built to hurt the loader: alias bombs, deep nesting, huge and binary files, missing paths.</summary>
public sealed class ConnectorConfigLoaderHostileTests
{
    /// <summary>
    /// "Billion laughs": ten levels of nine aliases each name 9¹⁰ strings. Placed as a value it
    /// would be expanded by whoever walks it; placed as a mapping key, hashing it walks every path.
    /// </summary>
    private static string BillionLaughs(string use)
    {
        var text = new StringBuilder("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (char name = 'b'; name <= 'j'; name++)
        {
            string previous = $"*{(char)(name - 1)}";
            text.Append(CultureInfo.InvariantCulture, $"{name}: &{name} [{string.Join(", ", Enumerable.Repeat(previous, 9))}]\n");
        }

        return text.Append(use).ToString();
    }

    [Fact(Timeout = 30_000)]
    public async Task BillionLaughs_AsAValue_IsRefusedQuickly()
    {
        ConfigException ex = await RefusesInTimeAsync(BillionLaughs("ingress: *j\n"));

        Assert.StartsWith($"{FileName}:2: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the alias *a repeats a list or mapping; only plain values may be repeated", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task BillionLaughs_AsAMappingKey_IsRefusedQuickly()
    {
        ConfigException ex = await RefusesInTimeAsync(BillionLaughs("? *j\n: x\n"));

        Assert.Contains("repeats a list or mapping", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AliasOfAMapping_IsRefusedEvenWhenSmall()
    {
        ConfigException ex = await RefusesInTimeAsync(Yaml(
            "ingress:",
            "  - &rule",
            "    hostname: db.example.com",
            "    service: tcp://localhost:5432",
            "  - *rule",
            "  - service: reject"));

        Assert.StartsWith($"{FileName}:5: the alias *rule repeats a list or mapping", ex.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(100_000)]
    [InlineData(400_000)]
    public async Task DeeplyNestedFlowLists_AreRefusedWithoutOverflowingTheStack(int depth)
    {
        ConfigException ex = await RefusesInTimeAsync($"ingress: {new string('[', depth)}{new string(']', depth)}\n");

        Assert.Equal($"{FileName}:1: nested more than 32 levels deep; a config file has keys, a list and its items", ex.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeeplyNestedBlockMappings_AreRefused()
    {
        string text = string.Concat(Enumerable.Range(0, 40).Select(i => $"{new string(' ', i)}k{i}:\n"));

        ConfigException ex = await RefusesInTimeAsync(text);

        Assert.Contains("nested more than 32 levels deep", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ManyRulesWithinTheSizeLimit_AreReadQuickly()
    {
        string rules = string.Concat(Enumerable.Range(0, 10_000).Select(i => $"  - hostname: h{i}.example.com\n    service: tcp://localhost:{i + 1}\n"));
        string text = $"ingress:\n{rules}  - service: reject\n";

        Task<ConnectorConfig> parsing = Task.Run(() => Parses(text));

        Assert.Equal(10_001, (await parsing.WaitAsync(HostileInputBudget)).Ingress!.Rules.Count);
    }

    [Fact]
    public void Parse_TenKilobyteValue_IsReadAsIs()
    {
        string value = new('x', 10 * 1024);

        Assert.Equal(value, Parses(Yaml($"tunnel: {value}")).Tunnel);
    }

    [Fact]
    public void Parse_ControlCharactersInTheText_AreInvalidYaml() =>
        Refuses("tunnel: db\u0000\u0007\n", 1, "not valid YAML");

    [Fact]
    public void Load_TwoMebibyteFile_IsRefusedBeforeItIsRead()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("config.yml");
        File.WriteAllText(path, "# " + new string('x', 2 * 1024 * 1024) + "\ningress:\n  - service: reject\n");

        var ex = Assert.Throws<ConfigException>(() => ConnectorConfigLoader.Load(path));

        Assert.StartsWith($"{path}: {new FileInfo(path).Length} bytes is too large for a config file (limit 1048576)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileJustUnderTheLimit_IsRead()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("config.yml");
        string tail = "\ningress:\n  - service: reject\n";
        File.WriteAllText(path, "# " + new string('x', 1024 * 1024 - 2 - tail.Length) + tail);

        Assert.Equal(1024 * 1024, new FileInfo(path).Length);
        Assert.True(Assert.Single(ConnectorConfigLoader.Load(path).Ingress!.Rules).Service.IsReject);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("nope", "config.yml");

        var ex = Assert.Throws<ConfigException>(() => ConnectorConfigLoader.Load(path));

        Assert.Equal($"{path}: no such file", ex.Message);
    }

    [Fact]
    public void Load_ADirectory_IsNotTakenForAFile()
    {
        using var directory = TempDirectory.Create();

        var ex = Assert.Throws<ConfigException>(() => ConnectorConfigLoader.Load(directory.Path));

        Assert.StartsWith(directory.Path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BinaryFile_IsAConfigErrorNamingTheFile()
    {
        using var directory = TempDirectory.Create();
        string path = directory.Combine("drawbridge");
        byte[] bytes = new byte[64 * 1024];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ConfigException>(() => ConnectorConfigLoader.Load(path));

        Assert.StartsWith($"{path}:", ex.Message, StringComparison.Ordinal);
    }
}
