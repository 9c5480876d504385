using System.Text;

namespace Drawbridge.Client.Launchers;

/// <summary>
/// <c>drawbridge access shortcut</c>: a desktop launcher that runs <c>access tcp --hostname H --url U</c>
/// in a terminal, for people who do not use a command line. The hostname and listen address
/// are validated by the caller; every word is still quoted for its format, and any input with
/// a control character is refused, so nothing a user types can add a line, an argument or a
/// shell command to the launcher.
/// </summary>
internal static class ShortcutWriter
{
    /// <summary>Writes the launcher and returns its path.</summary>
    /// <param name="command">The whole command line, one word each: the program and its arguments.</param>
    public static string Write(ShortcutPlatform platform, string directory, string name, string comment, IReadOnlyList<string> command)
    {
        foreach (string text in command.Append(name).Append(comment))
        {
            if (text.Any(char.IsControl))
            {
                throw new ArgumentException($"'{text.Replace("\n", "\\n", StringComparison.Ordinal)}' contains a control character; a launcher cannot carry it");
            }
        }

        (string extension, string content, UnixFileMode mode) = platform switch
        {
            ShortcutPlatform.Linux => (".desktop", DesktopEntry(name, comment, command), Executable),
            ShortcutPlatform.MacOS => (".command", ShellScript(comment, command), Executable),
            _ => (".cmd", BatchFile(command), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
        };

        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName(name) + extension);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// A Desktop Entry (freedesktop.org Desktop Entry Specification 1.5). Exec arguments with a
    /// reserved character go in double quotes with <c>" ` $ \</c> backslash-escaped; Exec is then
    /// a string value, so each backslash is escaped once more; <c>%</c> is doubled (field codes).
    /// </summary>
    internal static string DesktopEntry(string name, string comment, IReadOnlyList<string> command) =>
        "[Desktop Entry]\n" +
        "Type=Application\n" +
        "Version=1.5\n" +
        $"Name={DesktopString(name)}\n" +
        $"Comment={DesktopString(comment)}\n" +
        $"Exec={string.Join(' ', command.Select(ExecArgument))}\n" +
        "Terminal=true\n" +
        "Categories=Network;\n";

    private static string ExecArgument(string word)
    {
        const string Reserved = " \t\n\"'\\><~|&;$*?#()`=";
        string quoted = word.Length > 0 && !word.Any(c => Reserved.Contains(c, StringComparison.Ordinal))
            ? word
            : "\"" + string.Concat(word.Select(c => c is '"' or '`' or '$' or '\\' ? "\\" + c : c.ToString())) + "\"";
        return DesktopString(quoted).Replace("%", "%%", StringComparison.Ordinal);
    }

    /// <summary>A string value: backslash is the escape character (<c>\\</c>); control characters were refused above.</summary>
    private static string DesktopString(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal);

    /// <summary>A <c>.command</c> file: macOS Finder opens it in Terminal and runs it with sh.</summary>
    internal static string ShellScript(string comment, IReadOnlyList<string> command) =>
        "#!/bin/sh\n" +
        $"# {comment}\n" +
        $"exec {string.Join(' ', command.Select(ShellWord.Quote))}\n";

    /// <summary>
    /// A <c>.cmd</c> file. Every word is double-quoted, inside which <c>&amp; | &lt; &gt; ^</c> are
    /// literal; <c>%</c> is doubled so cmd does not expand variables. A <c>"</c> cannot be
    /// escaped inside quotes (nor appear in a Windows path), so it is refused.
    /// </summary>
    internal static string BatchFile(IReadOnlyList<string> command)
    {
        if (command.Any(word => word.Contains('"', StringComparison.Ordinal)))
        {
            throw new ArgumentException("a Windows launcher cannot carry a double quote (\")");
        }

        return "@echo off\r\n" +
            $"{string.Join(' ', command.Select(word => "\"" + word.Replace("%", "%%", StringComparison.Ordinal) + "\""))}\r\n" +
            "pause\r\n";
    }

    /// <summary>The file name from the display name: letters, digits, <c>. _ -</c>; anything else becomes <c>-</c>.</summary>
    internal static string FileName(string name)
    {
        string safe = new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]);
        safe = safe.Trim('.', '-');
        return safe.Length == 0 ? "drawbridge" : safe;
    }
}
