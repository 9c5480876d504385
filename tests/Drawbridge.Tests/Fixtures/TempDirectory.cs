namespace Drawbridge.Tests.Fixtures;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create() => new(Directory.CreateTempSubdirectory("drawbridge-tests-").FullName);

    /// <summary>The full path of <paramref name="name"/> inside this directory.</summary>
    public string Combine(params string[] names) => System.IO.Path.Combine([Path, .. names]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover directory in /tmp must not fail the test that owned it.
        }
    }
}
