using System.Globalization;
using System.Text;

namespace Drawbridge.Cli.Systemd;

/// <summary>
/// The systemd unit <c>service install</c> writes (systemd.service(5), systemd.exec(5)):
/// <c>Type=notify</c> (READY=1 from <see cref="SystemdNotifier"/>), restart on failure, a
/// dedicated user and a sandbox that leaves writable only what the service writes.
/// </summary>
internal sealed record ServiceUnit(
    string Name,
    string Description,
    IReadOnlyList<string> ExecStart,
    string User,
    IReadOnlyList<string> ReadWritePaths,
    bool BindsPrivilegedPort,
    TimeSpan? Watchdog)
{
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# Written by `drawbridge service install`; remove it with `drawbridge service uninstall`.\n");
        text.Append("[Unit]\n");
        text.Append($"Description={Description}\n");
        text.Append("Wants=network-online.target\n");
        text.Append("After=network-online.target\n\n");
        text.Append("[Service]\n");
        text.Append("Type=notify\n");
        // Only the main process may report (WATCHDOG_PID is the main process too).
        text.Append("NotifyAccess=main\n");
        text.Append($"ExecStart={string.Join(' ', ExecStart.Select(Quote))}\n");
        text.Append("Restart=on-failure\n");
        text.Append("RestartSec=5s\n");
        text.Append($"User={User}\n");
        if (Watchdog is { } watchdog)
        {
            long ms = (long)watchdog.TotalMilliseconds;
            text.Append(CultureInfo.InvariantCulture, $"WatchdogSec={(ms % 1000 == 0 ? $"{ms / 1000}s" : $"{ms}ms")}\n");
        }

        text.Append("NoNewPrivileges=yes\n");
        text.Append("ProtectSystem=strict\n");
        text.Append("ProtectHome=yes\n");
        text.Append("PrivateTmp=yes\n");
        foreach (string path in ReadWritePaths)
        {
            text.Append($"ReadWritePaths={Quote(path)}\n");
        }

        if (BindsPrivilegedPort)
        {
            // Port 443 without running as root.
            text.Append("AmbientCapabilities=CAP_NET_BIND_SERVICE\n");
            text.Append("CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
        }
        else
        {
            text.Append("CapabilityBoundingSet=\n");
        }

        text.Append("\n[Install]\n");
        text.Append("WantedBy=multi-user.target\n");
        return text.ToString();
    }

    /// <summary>One word of a command line as systemd.service(5) "Command lines" reads it: specifiers (%) and variables ($) doubled, quoted when needed.</summary>
    internal static string Quote(string word)
    {
        string escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        if (escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';'))
        {
            return escaped;
        }

        return "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
