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

    /// <summary>
    /// The words that run this program from anywhere (an ssh ProxyCommand, a desktop launcher):
    /// the wrapper script, <c>dotnet</c> and the dll, or the executable, each as an absolute path.
    /// </summary>
    public static string[] AbsoluteWords()
    {
        if (Environment.GetEnvironmentVariable("DRAWBRIDGE_SELF") is { Length: > 0 } wrapper)
        {
            return [Path.GetFullPath(wrapper)];
        }

        string process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, "drawbridge.dll")]
            : [process];
    }
}
