using System.Diagnostics;

namespace Drawbridge.Cli.Systemd;

/// <summary>The system user a service runs as: looked up in /etc/passwd, created with useradd, given files with chown.</summary>
internal sealed record ServiceAccount(string Name, int Uid, int Gid)
{
    /// <summary>How long useradd or chown may take before we call it stuck.</summary>
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The account named <paramref name="name"/> on this machine, or null when there is none.</summary>
    public static ServiceAccount? Find(string name, string passwd = "/etc/passwd")
    {
        if (!File.Exists(passwd))
        {
            return null;
        }

        foreach (string line in File.ReadLines(passwd))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name && int.TryParse(fields[2], out int uid) && int.TryParse(fields[3], out int gid))
            {
                return new ServiceAccount(name, uid, gid);
            }
        }

        return null;
    }

    /// <summary>A system account with no home and no login shell, as packages create for daemons.</summary>
    public static async Task<ServiceAccount> CreateAsync(string name, CancellationToken cancellationToken)
    {
        await RunAsync("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name], cancellationToken);
        return Find(name) ?? throw new InvalidOperationException($"useradd did not create the user '{name}'");
    }

    /// <summary>Makes the account own <paramref name="path"/> (and, for a directory, everything in it).</summary>
    public Task GiveAsync(string path, CancellationToken cancellationToken) =>
        RunAsync("chown", ["-R", $"{Uid}:{Gid}", path], cancellationToken);

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"could not run {program} ({ex.Message}): create the user yourself and pass --user NAME", ex);
        }

        using Process process = started ?? throw new InvalidOperationException($"could not run {program}");
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ToolTimeout);
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {(await errors).Trim()}");
        }
    }
}
