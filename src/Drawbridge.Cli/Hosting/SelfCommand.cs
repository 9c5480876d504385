namespace Drawbridge.Cli.Hosting;

/// <summary>How to invoke this program again, for commands printed to the user to paste.</summary>
internal static class SelfCommand
{
    public static string Invocation()
    {
        // The ./drawbridge wrapper script names itself, so printed commands use it.
        if (Environment.GetEnvironmentVariable("DRAWBRIDGE_SELF") is { Length: > 0 } wrapper)
        {
            return wrapper;
        }

        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return $"dotnet {Path.Combine(AppContext.BaseDirectory, "drawbridge.dll")}";
        }

        return process ?? "drawbridge";
    }
}
