using System.Diagnostics;

namespace Drawbridge.Client.Login;

/// <summary>Opens a URL in the user's browser: <c>$BROWSER</c> first (the Unix convention), else the
/// desktop's opener. False when there is no way to, so the caller can fall back to the device flow.</summary>
internal static class BrowserLauncher
{
    public static bool TryOpen(string url)
    {
        string? configured = Environment.GetEnvironmentVariable("BROWSER");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Start(configured.Split(':')[0], url);
        }

        if (OperatingSystem.IsMacOS())
        {
            return Start("open", url);
        }

        if (OperatingSystem.IsWindows())
        {
            return Start("rundll32", "url.dll,FileProtocolHandler " + url);
        }

        // Without a display there is no browser to open (ssh sessions, servers, containers).
        bool desktop = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) ||
                       !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        return desktop && Start("xdg-open", url);
    }

    private static bool Start(string program, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program) { ArgumentList = { argument }, UseShellExecute = false });
            return process is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
