using Drawbridge.Configuration;
using Drawbridge.Connector.Ingress;

namespace Drawbridge.Tests.Connector;

/// <summary>Feeds <c>config.yml</c> text to <see cref="ConnectorConfigLoader"/> and checks the error a person would read.</summary>
internal static class ConfigAssert
{
    public const string FileName = "/etc/drawbridge/config.yml";

    /// <summary>A hostile document must be refused (or read) well inside this; a hang or an exponential blow-up is not.</summary>
    public static readonly TimeSpan HostileInputBudget = TimeSpan.FromSeconds(10);

    /// <summary>The lines joined with '\n' and a final newline, so a test shows the file as it would look.</summary>
    public static string Yaml(params string[] lines) => string.Join('\n', lines) + "\n";

    public static ConnectorConfig Parses(string yaml) => ConnectorConfigLoader.Parse(yaml, FileName);

    /// <summary>The loader refuses <paramref name="yaml"/>; the message starts with the file and line and contains every fragment.</summary>
    public static ConfigException Refuses(string yaml, int line, params string[] fragments)
    {
        var ex = Assert.Throws<ConfigException>(() => ConnectorConfigLoader.Parse(yaml, FileName));
        Assert.StartsWith($"{FileName}:{line}: ", ex.Message, StringComparison.Ordinal);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }

    /// <summary>Runs the loader on a worker thread and fails the test (instead of hanging it) when it takes too long.</summary>
    public static async Task<ConfigException> RefusesInTimeAsync(string yaml)
    {
        Task<ConnectorConfig> parsing = Task.Run(() => ConnectorConfigLoader.Parse(yaml, FileName));

        // A TimeoutException here (instead of the expected ConfigException) means the loader hung.
        return await Assert.ThrowsAsync<ConfigException>(() => parsing.WaitAsync(HostileInputBudget));
    }
}
