namespace Drawbridge.Protocol.Credentials;

/// <summary>
/// Files that hold secrets (credentials, token caches, private keys): written so that no other
/// user can ever read them, not even for a moment, and refused when someone has widened them.
/// </summary>
public static class CredentialFile
{
    /// <summary>rw------- : what ssh demands of a private key, and for the same reason.</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    private const UnixFileMode OtherUsers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes <paramref name="contents"/> (UTF-8) to <paramref name="path"/> atomically: a reader
    /// sees the old file or the new one, never half of it. The file is created with mode 0600
    /// (not chmod-ed afterwards, which would leave a window) and missing directories with 0700.
    /// </summary>
    public static void WriteOwnerOnly(string path, string contents)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        CreateDirectory(directory);

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(contents);
                writer.Flush();

                // On disk before the rename, so a crash cannot leave an empty file under the real name.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Reads a file written by <see cref="WriteOwnerOnly"/>. On Unix, throws
    /// <see cref="CredentialFileException"/> when group or others have any access to it: a
    /// secret that others could read must be treated as leaked, not used quietly.
    /// </summary>
    public static string ReadOwnerOnly(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);

        // The mode of the handle we read from, not of the path: no window for a swap in between.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(stream.SafeFileHandle);
            if ((mode & OtherUsers) != 0)
            {
                throw new CredentialFileException(
                    $"{path} holds a secret but other users can access it (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}): "
                    + $"run `chmod 600 {path}`, and replace the secret if anyone else may have read it.");
            }
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }
}
