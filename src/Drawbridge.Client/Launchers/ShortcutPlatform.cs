namespace Drawbridge.Client.Launchers;

/// <summary>Which desktop the launcher is for: a <c>.desktop</c> entry, a <c>.command</c> script or a <c>.cmd</c> batch file.</summary>
internal enum ShortcutPlatform
{
    Linux,
    MacOS,
    Windows,
}
