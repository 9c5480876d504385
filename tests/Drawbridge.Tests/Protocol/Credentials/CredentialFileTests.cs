using Drawbridge.Protocol.Credentials;
using Drawbridge.Tests.Fixtures;

namespace Drawbridge.Tests.Protocol.Credentials;

public sealed class CredentialFileTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempDirectory _directory = TempDirectory.Create();

    [Fact]
    public void WriteOwnerOnly_CreatesMissingDirectoriesAndTheFile()
    {
        var path = _directory.Combine("a", "b", "credential.json");

        CredentialFile.WriteOwnerOnly(path, "{\"x\":1}");

        Assert.Equal("{\"x\":1}", File.ReadAllText(path));
    }

    [Fact]
    public void WriteOwnerOnly_CreatesTheFileWithMode0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.Combine("new", "credential.json");

        CredentialFile.WriteOwnerOnly(path, "secret");

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(OwnerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory.Combine("new")));
    }

    [Fact]
    public void WriteOwnerOnly_ReplacesAWorldReadableFileWithAnOwnerOnlyOne()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.Combine("credential.json");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        CredentialFile.WriteOwnerOnly(path, "new");

        Assert.Equal("new", CredentialFile.ReadOwnerOnly(path));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WriteOwnerOnly_LeavesNoTemporaryFileBehind()
    {
        var path = _directory.Combine("credential.json");

        CredentialFile.WriteOwnerOnly(path, "one");
        CredentialFile.WriteOwnerOnly(path, "two");

        Assert.Equal([path], Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void ReadOwnerOnly_ReturnsWhatWasWritten()
    {
        var path = _directory.Combine("credential.json");
        CredentialFile.WriteOwnerOnly(path, "línea\nsecond line");

        Assert.Equal("línea\nsecond line", CredentialFile.ReadOwnerOnly(path));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.OtherWrite)]
    public void ReadOwnerOnly_RefusesAFileOtherUsersCanAccess_SayingHowToFixIt(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _directory.Combine("credential.json");
        CredentialFile.WriteOwnerOnly(path, "secret");
        File.SetUnixFileMode(path, OwnerReadWrite | extra);

        var ex = Assert.Throws<CredentialFileException>(() => CredentialFile.ReadOwnerOnly(path));

        Assert.Contains($"chmod 600 {path}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOwnerOnly_OfAMissingFile_NamesThePath()
    {
        var path = _directory.Combine("missing.json");

        var ex = Assert.Throws<FileNotFoundException>(() => CredentialFile.ReadOwnerOnly(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
