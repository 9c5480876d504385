namespace Drawbridge.Cli.Hosting;

/// <summary>How to invoke this program again, for commands printed to the user to paste.</summary>
internal static class SelfCommand
{
    public static string Invocation()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return $"dotnet {Path.Combine(AppContext.BaseDirectory, "drawbridge.dll")}";
        }

        return process ?? "drawbridge";
    }
}
