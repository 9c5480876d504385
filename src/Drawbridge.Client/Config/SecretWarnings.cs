namespace Drawbridge.Client.Config;

/// <summary>
/// Files that hold a service token secret (the config itself when the secret is inline, or a
/// secret file) should be owner-only; one warning per such file, not one per forward.
/// </summary>
internal sealed class SecretWarnings
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages => _messages;

    public void Check(string path)
    {
        if (OperatingSystem.IsWindows() || !_checked.Add(Path.GetFullPath(path)) || !File.Exists(path))
        {
            return;
        }

        if ((File.GetUnixFileMode(path) & GroupOrOthers) != 0)
        {
            _messages.Add($"{path} holds a service token secret and other users can read it: chmod 600 {path}");
        }
    }
}
