namespace Drawbridge.EndToEnd.Tests.Fixtures;

/// <summary>
/// A fresh directory under the system temp directory (mode 0700 on Unix), deleted with
/// everything in it on dispose. Fixtures keep their configs, keys and logs here.
/// </summary>
internal sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create(string prefix = "drawbridge-e2e-") =>
        new(Directory.CreateTempSubdirectory(prefix).FullName);

    /// <summary>The full path of <paramref name="name"/> inside this directory.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="contents"/> to <paramref name="name"/> and returns its full path.</summary>
    public string WriteFile(string name, string contents)
    {
        string path = Combine(name);
        File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Best effort: a program that outlived its kill may still hold a file open.
            // A leftover directory in /tmp must not fail the test that owned it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above: a program may have created files we cannot remove.
        }
    }
}
