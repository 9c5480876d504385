namespace Drawbridge.Cli.Hosting;

/// <summary>Where the CLI keeps a user's credentials: <c>$XDG_CONFIG_HOME/drawbridge</c> (default <c>~/.config/drawbridge</c>).</summary>
internal static class UserPaths
{
    public static string ConfigDirectory =>
        Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"),
            "drawbridge");

    public static string AdminCredential =>
        Environment.GetEnvironmentVariable("DRAWBRIDGE_ADMIN_CREDENTIAL") is { Length: > 0 } configured
            ? configured
            : Path.Combine(ConfigDirectory, "admin.json");

    public static string TunnelsDirectory => Path.Combine(ConfigDirectory, "tunnels");

    public static string TunnelCredential(Guid tunnelId) => Path.Combine(TunnelsDirectory, $"{tunnelId:N}.json");
}
