using System.Text;

namespace Drawbridge.Client.Launchers;

/// <summary>
/// The <c>~/.ssh/config</c> stanza of <c>drawbridge access ssh-config</c>, like
/// <c>cloudflared access ssh-config</c>. ssh hands ProxyCommand to the user's shell after
/// expanding <c>%</c> tokens, so each word is shell-quoted and a literal <c>%</c> doubled.
/// A service token secret is never written: the ProxyCommand reads it from the environment.
/// </summary>
internal static class SshConfigStanza
{
    /// <param name="hostPattern">A validated DNS name, or <c>*.</c> and one.</param>
    /// <param name="self">The absolute command that runs this program (the executable, or dotnet and the dll).</param>
    /// <param name="options">Extra <c>access tcp</c> flags and values, e.g. <c>--edge</c>, <c>--ca-cert</c>.</param>
    public static string Render(string hostPattern, IReadOnlyList<string> self, IReadOnlyList<string> options, bool serviceToken)
    {
        var command = new StringBuilder();
        foreach (string word in self.Concat(["access", "tcp", "--hostname"]))
        {
            command.Append(ShellWord.Quote(word).Replace("%", "%%", StringComparison.Ordinal)).Append(' ');
        }

        command.Append("%h");
        foreach (string word in options)
        {
            command.Append(' ').Append(ShellWord.Quote(word).Replace("%", "%%", StringComparison.Ordinal));
        }

        var stanza = new StringBuilder();
        if (serviceToken)
        {
            stanza.Append("# The service token secret is not written here: export ").Append(AccessSecretVariable).Append(" before running ssh.\n");
        }

        return stanza.Append("Host ").Append(hostPattern).Append('\n')
            .Append("  ProxyCommand ").Append(command).Append('\n')
            .ToString();
    }

    private const string AccessSecretVariable = Config.AccessConfigLoader.SecretVariable;
}
