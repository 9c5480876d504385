using System.Diagnostics;
using System.Runtime.Versioning;
using Drawbridge.Client.Launchers;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Client;

/// <summary><c>access ssh-config</c> and <c>access shortcut</c>: the files they write, and that hostile words stay words.</summary>
[UnsupportedOSPlatform("windows")] // file modes
public sealed class LauncherTests
{
    private const string Hostile = "a b'c\"d$(touch pwned)`x`;e&f|g%h%%i\\j*k#l";

    private static readonly string[] Command = ["/opt/my tools/drawbridge", "access", "tcp", "--hostname", "db.example.com", "--url", "localhost:9210"];

    [Fact]
    public void SshConfig_QuotesPathsWithSpaces_DoublesPercent_AndLeavesHostForSsh()
    {
        string stanza = SshConfigStanza.Render("*.ssh.example.com", ["/usr/bin/dotnet", "/opt/my tools/100%/drawbridge.dll"],
            ["--edge", "edge.example.com:443", "--ca-cert", "/etc/it's/ca.pem"], serviceToken: false);

        Assert.Equal(
            "Host *.ssh.example.com\n" +
            "  ProxyCommand /usr/bin/dotnet '/opt/my tools/100%%/drawbridge.dll' access tcp --hostname %h --edge edge.example.com:443 --ca-cert '/etc/it'\\''s/ca.pem'\n",
            stanza);
    }

    [Fact]
    public void SshConfig_WithAServiceToken_NamesTheSecretVariableAndNeverASecret()
    {
        string stanza = SshConfigStanza.Render("ssh.example.com", ["/usr/bin/drawbridge"], ["--service-token-id", "abc"], serviceToken: true);

        Assert.Equal(
            "# The service token secret is not written here: export DRAWBRIDGE_SERVICE_TOKEN_SECRET before running ssh.\n" +
            "Host ssh.example.com\n" +
            "  ProxyCommand /usr/bin/drawbridge access tcp --hostname %h --service-token-id abc\n",
            stanza);
    }

    [Fact]
    public void Desktop_IsAnExecutableTerminalApplication_WithSpecQuoting()
    {
        using var directory = TempDirectory.Create();

        string path = ShortcutWriter.Write(ShortcutPlatform.Linux, directory.Path, "Drawbridge db.example.com", "Opens localhost:9210", Command);

        Assert.Equal(directory.Combine("Drawbridge-db.example.com.desktop"), path);
        Assert.Equal(
            "[Desktop Entry]\nType=Application\nVersion=1.5\nName=Drawbridge db.example.com\nComment=Opens localhost:9210\n" +
            "Exec=\"/opt/my tools/drawbridge\" access tcp --hostname db.example.com --url localhost:9210\nTerminal=true\nCategories=Network;\n",
            File.ReadAllText(path));
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(path));
    }

    [Fact]
    public void Desktop_HostileWords_AreEscapedForExecAndForTheStringValue()
    {
        string entry = ShortcutWriter.DesktopEntry(Hostile, "c", ["/bin/x", Hostile]);

        // Exec quoting: " ` $ \ get a backslash inside double quotes; the string value then doubles every backslash; % doubles.
        Assert.Contains("Exec=/bin/x \"a b'c\\\\\"d\\\\$(touch pwned)\\\\`x\\\\`;e&f|g%%h%%%%i\\\\\\\\j*k#l\"\n", entry, StringComparison.Ordinal);
        Assert.Contains("Name=a b'c\"d$(touch pwned)`x`;e&f|g%h%%i\\\\j*k#l\n", entry, StringComparison.Ordinal);
        Assert.Equal(8, entry.Count(c => c == '\n')); // no line was added
    }

    [Fact]
    public void Command_IsAnExecutableShScript_AndAHostileWordReachesTheProgramIntact()
    {
        using var directory = TempDirectory.Create();
        string path = ShortcutWriter.Write(ShortcutPlatform.MacOS, directory.Path, Hostile, "c", ["/bin/sh", "-c", "printf '%s\\n' \"$1\"", "sh", Hostile]);

        Assert.Equal(directory.Combine("a-b-c-d--touch-pwned--x--e-f-g-h--i-j-k-l.command"), path);
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(path));
        Assert.StartsWith("#!/bin/sh\n# c\nexec /bin/sh -c ", File.ReadAllText(path), StringComparison.Ordinal);

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, WorkingDirectory = directory.Path };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000));

        Assert.Equal(Hostile + "\n", output);
        Assert.False(File.Exists(directory.Combine("pwned")));
    }

    [Fact]
    public void Cmd_QuotesEveryWordAndDoublesPercent()
    {
        using var directory = TempDirectory.Create();
        string path = ShortcutWriter.Write(ShortcutPlatform.Windows, directory.Path, "db", "c",
            [@"C:\Program Files (x86)\100%\drawbridge.exe", "access", "tcp", "--hostname", "db.example.com", "--url", "localhost:9210", "a&b|c^d"]);

        Assert.Equal(directory.Combine("db.cmd"), path);
        Assert.Equal(
            "@echo off\r\n\"C:\\Program Files (x86)\\100%%\\drawbridge.exe\" \"access\" \"tcp\" \"--hostname\" \"db.example.com\" \"--url\" \"localhost:9210\" \"a&b|c^d\"\r\npause\r\n",
            File.ReadAllText(path));
    }

    [Fact]
    public void Cmd_ADoubleQuote_IsRefused() =>
        Assert.Throws<ArgumentException>(() => ShortcutWriter.BatchFile(["x", "a\"&calc"]));

    [Theory]
    [InlineData("line\nExec=evil")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    public void AnyFormat_AControlCharacter_IsRefusedAndNothingIsWritten(string name)
    {
        using var directory = TempDirectory.Create();
        foreach (ShortcutPlatform platform in Enum.GetValues<ShortcutPlatform>())
        {
            Assert.Throws<ArgumentException>(() => ShortcutWriter.Write(platform, directory.Path, name, "c", Command));
            Assert.Throws<ArgumentException>(() => ShortcutWriter.Write(platform, directory.Path, "n", "c", [.. Command, name]));
        }

        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void FileName_KeepsOnlySafeCharacters() =>
        Assert.Equal(("x-..-etc-passwd", "drawbridge"), (ShortcutWriter.FileName("../x/../etc/passwd"), ShortcutWriter.FileName("../")));
}
