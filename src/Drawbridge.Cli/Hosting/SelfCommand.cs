namespace Drawbridge.Cli.Hosting;

/// <summary>How to invoke this program again, for commands printed to the user to paste and for service units.</summary>
internal static class SelfCommand
{
    public static string Invocation()
    {
        // The ./drawbridge wrapper script names itself, so printed commands use it.
        if (Environment.GetEnvironmentVariable("DRAWBRIDGE_SELF") is { Length: > 0 } wrapper)
        {
            return wrapper;
        }

        string[] executable = Executable();
        // Through dotnet, printed commands say plain `dotnet`: the user's PATH finds it.
        return executable.Length == 2 ? $"dotnet {executable[1]}" : executable[0];
    }

    /// <summary>The absolute program (and, run through <c>dotnet</c>, the dll) that is running now.</summary>
    public static string[] Executable()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return [process, Path.Combine(AppContext.BaseDirectory, "drawbridge.dll")];
        }

        return [process ?? "drawbridge"];
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
