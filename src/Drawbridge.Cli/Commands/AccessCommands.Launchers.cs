using System.CommandLine;
using Drawbridge.Cli.Hosting;
using Drawbridge.Client.Forwarding;
using Drawbridge.Client.Launchers;
using Drawbridge.Configuration;

namespace Drawbridge.Cli.Commands;

/// <summary><c>access ssh-config</c> and <c>access shortcut</c>: ways to start <c>access tcp</c> without typing it.</summary>
internal static partial class AccessCommands
{
    private static Command SshConfig()
    {
        var hostname = new Option<string>("--hostname") { Description = "The app hostname, or *.a wildcard (ssh's Host pattern)", Required = true };
        var edge = CliOptions.Edge();
        var caCert = CliOptions.CaCert();
        var tokenId = new Option<string?>("--service-token-id") { Description = "Service token client id; its secret is read from DRAWBRIDGE_SERVICE_TOKEN_SECRET when ssh runs, never written" };
        var command = new Command("ssh-config", "Print a ~/.ssh/config stanza whose ProxyCommand runs `access tcp` (like cloudflared access ssh-config)") { hostname, edge, caCert, tokenId };
        CliAction.Set(command, (parse, cancellationToken) =>
        {
            string host = Normalize(parse.GetValue(hostname)!);
            if (!YamlConfigFile.IsHostname(host, allowWildcard: true))
            {
                throw new ArgumentException($"--hostname '{host}' is not a DNS name or *.wildcard");
            }

            string[] options = [.. LauncherOptions(parse, edge, caCert), .. parse.GetValue(tokenId) is { } id ? ["--service-token-id", id] : Array.Empty<string>()];
            Console.Write(SshConfigStanza.Render(host, SelfCommand.AbsoluteWords(), options, serviceToken: parse.GetValue(tokenId) is not null));
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Shortcut()
    {
        var hostname = new Option<string>("--hostname") { Description = "The app hostname, e.g. db.example.com", Required = true };
        var url = new Option<string>("--url") { Description = "Listen here, e.g. localhost:9210", Required = true };
        var name = new Option<string?>("--name") { Description = "The launcher's name (default: Drawbridge HOSTNAME)" };
        var platform = new Option<ShortcutPlatform?>("--platform") { Description = "linux (.desktop), macos (.command) or windows (.cmd); default: this machine's" };
        var output = new Option<string?>("--output") { Description = "Directory to write to (default: ~/.local/share/applications, or the Desktop on macOS and Windows)" };
        var edge = CliOptions.Edge();
        var caCert = CliOptions.CaCert();
        var command = new Command("shortcut", "Write a desktop launcher that opens the forward in a terminal, for people who don't use a command line") { hostname, url, name, platform, output, edge, caCert };
        CliAction.Set(command, (parse, cancellationToken) =>
        {
            string host = Normalize(parse.GetValue(hostname)!);
            if (!YamlConfigFile.IsHostname(host, allowWildcard: false))
            {
                throw new ArgumentException($"--hostname '{host}' is not a DNS name (letters, digits, inner hyphens and dots)");
            }

            string listen = parse.GetValue(url)!;
            _ = LocalForwarder.ParseListen(listen); // refuses anything but HOST:PORT
            ShortcutPlatform target = parse.GetValue(platform)
                ?? (OperatingSystem.IsWindows() ? ShortcutPlatform.Windows : OperatingSystem.IsMacOS() ? ShortcutPlatform.MacOS : ShortcutPlatform.Linux);
            string title = parse.GetValue(name) ?? $"Drawbridge {host}";
            string[] words = [.. SelfCommand.AbsoluteWords(), "access", "tcp", "--hostname", host, "--url", listen, .. LauncherOptions(parse, edge, caCert)];
            string path = ShortcutWriter.Write(target, parse.GetValue(output) ?? DefaultShortcutDirectory(target), title,
                $"Opens {listen} to {host} through Drawbridge", words);
            Console.WriteLine(path);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary><c>--edge</c> and <c>--ca-cert</c> (made absolute) to pass on to <c>access tcp</c>.</summary>
    private static IEnumerable<string> LauncherOptions(ParseResult parse, Option<string?> edge, Option<string?> caCert)
    {
        if (CliOptions.FlagOrEnvironment(parse, edge, "DRAWBRIDGE_EDGE") is { } address)
        {
            yield return "--edge";
            yield return address;
        }

        if (CliOptions.FlagOrEnvironment(parse, caCert, "DRAWBRIDGE_CA_CERT") is { } ca)
        {
            yield return "--ca-cert";
            yield return Path.GetFullPath(ca);
        }
    }

    private static string DefaultShortcutDirectory(ShortcutPlatform platform)
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (platform == ShortcutPlatform.Linux)
        {
            string data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".local", "share");
            return Path.Combine(data, "applications");
        }

        string desktop = Environment.GetFolderPath(Environment.SpecialFolder.DesktopDirectory);
        return desktop.Length > 0 ? desktop : Path.Combine(home, "Desktop");
    }
}
