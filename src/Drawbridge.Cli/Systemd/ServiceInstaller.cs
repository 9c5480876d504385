using System.Text.RegularExpressions;
using Drawbridge.Protocol.Credentials;

namespace Drawbridge.Cli.Systemd;

/// <summary>
/// Where <c>service install</c> puts things and how it takes them away: the unit in
/// <c>/etc/systemd/system/NAME.service</c>, secret copies in <c>/etc/drawbridge/NAME/</c>, all
/// under <c>--root</c> when given (tests, packaging). Checks everything before writing anything.
/// </summary>
internal sealed partial class ServiceInstaller
{
    private readonly string? _root;
    private readonly TextWriter _output;

    public ServiceInstaller(string? root, string name, TextWriter output)
    {
        if (root is not null && !Path.IsPathFullyQualified(root))
        {
            throw new FormatException($"--root '{root}' is relative: give an absolute directory");
        }

        if (!ValidName().IsMatch(name) || name.EndsWith(".service", StringComparison.Ordinal))
        {
            throw new FormatException($"--name '{name}': use letters, digits and . _ - @ only (no '/', no spaces, no .service suffix)");
        }

        _root = root;
        Name = name;
        _output = output;
    }

    public string Name { get; }

    /// <summary>True when writing under <c>--root</c>: no users are created and systemctl is not for this machine.</summary>
    public bool Staged => _root is not null;

    /// <summary>The unit's path on the target system.</summary>
    public string UnitPath => $"/etc/systemd/system/{Name}.service";

    /// <summary>The directory of this service's secret copies on the target system.</summary>
    public string FilesDirectory => $"/etc/drawbridge/{Name}";

    /// <summary>Where a target path is written on this machine (under --root when given).</summary>
    public string Local(string targetPath) => _root is null ? targetPath : Path.Join(_root, targetPath);

    public void EnsureAbsent(bool force)
    {
        if (File.Exists(Local(UnitPath)) && !force)
        {
            throw new InvalidOperationException($"{Local(UnitPath)} exists already: pass --force to overwrite it, or `drawbridge service uninstall` first");
        }
    }

    /// <summary>The account to run as: <paramref name="user"/> must exist; the default one is created (never under --root).</summary>
    public async Task<ServiceAccount?> ResolveAccountAsync(string? user, CancellationToken cancellationToken)
    {
        if (user is not null)
        {
            return ServiceAccount.Find(user) ?? throw new InvalidOperationException($"--user {user}: there is no such user on this machine");
        }

        if (ServiceAccount.Find(DefaultUser) is { } existing)
        {
            return existing;
        }

        if (Staged)
        {
            _output.WriteLine($"note: the user '{DefaultUser}' does not exist here; the files keep their owner (create the user on the target system)");
            return null;
        }

        ServiceAccount created = await ServiceAccount.CreateAsync(DefaultUser, cancellationToken);
        _output.WriteLine($"Created the system user {created.Name} (uid {created.Uid})");
        return created;
    }

    public const string DefaultUser = "drawbridge";

    /// <summary>Writes a secret owner-only (0600, directory 0700), owned by the service's account.</summary>
    public async Task WriteSecretAsync(string targetPath, string contents, ServiceAccount? account, CancellationToken cancellationToken)
    {
        string local = Local(targetPath);
        CredentialFile.WriteOwnerOnly(local, contents);
        if (account is not null)
        {
            await account.GiveAsync(Path.GetDirectoryName(local)!, cancellationToken);
        }

        _output.WriteLine($"Wrote {local} (mode 0600, owner {account?.Name ?? "unchanged"})");
    }

    public void WriteUnit(ServiceUnit unit)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("systemd units are for Linux");
        }

        string local = Local(UnitPath);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        File.WriteAllText(local, unit.Render());
        File.SetUnixFileMode(local, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _output.WriteLine($"Wrote {local}");
        if (unit.ExecStart.FirstOrDefault(w => w.StartsWith("/home/", StringComparison.Ordinal) || w.StartsWith("/root/", StringComparison.Ordinal)) is { } hidden)
        {
            _output.WriteLine($"warning: ProtectHome=yes hides {hidden} from the service: install drawbridge under /usr/local or /opt");
        }

        _output.WriteLine(Staged
            ? $"On the target system, start it with: systemctl daemon-reload && systemctl enable --now {Name}"
            : $"Start it with: systemctl daemon-reload && systemctl enable --now {Name}");
    }

    /// <summary>Removes the unit and the copies install made; not installed is an error.</summary>
    public void Uninstall()
    {
        string unit = Local(UnitPath);
        if (!File.Exists(unit))
        {
            throw new InvalidOperationException($"{Name} is not installed: there is no {unit}");
        }

        File.Delete(unit);
        _output.WriteLine($"Removed {unit}");
        string files = Local(FilesDirectory);
        if (Directory.Exists(files))
        {
            Directory.Delete(files, recursive: true);
            _output.WriteLine($"Removed {files}");
        }

        _output.WriteLine($"If it is still running: systemctl disable --now {Name}; then: systemctl daemon-reload");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.@-]{0,200}$")]
    private static partial Regex ValidName();
}
