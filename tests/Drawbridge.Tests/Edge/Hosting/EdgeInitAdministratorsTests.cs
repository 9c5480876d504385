using Drawbridge.Edge.Hosting;
using Drawbridge.Edge.Storage;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drawbridge.Tests.Edge.Hosting;

/// <summary><c>edge init --admin</c>: the admin application's policy, and bad administrators refused before anything is written.</summary>
public sealed class EdgeInitAdministratorsTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("alice@example.com", "email:alice@example.com")]
    [InlineData("email-domain:example.com", "email-domain:example.com")]
    [InlineData("group:ops", "group:ops")]
    [InlineData("ip:10.0.0.0/8", "ip:10.0.0.0/8")]
    public void Administrators_AreSelectors_ABareAddressMeaningEmail(string given, string expected)
    {
        Assert.Equal(expected, Assert.Single(EdgeInitializer.ParseAdministrators([given])).ToString());
    }

    [Theory]
    [InlineData("not-an-address", "--admin 'not-an-address'")]
    [InlineData("", "--admin ''")]
    [InlineData("group:", "--admin 'group:'")]
    [InlineData("colour:blue", "--admin 'colour:blue'")]
    [InlineData("service-token:ci", "administrators are people who sign in")]
    [InlineData("email:a@example.com\nemail:b@example.com", "--admin")]
    public async Task ABadAdministrator_IsRefusedByName_AndNothingIsWritten(string given, string expected)
    {
        string root = _directory.Combine("edge");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => InitializeAsync(root, "access.example.com", [given]));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task AdministratorsNeedAHostnameToNameTheAdminApplication()
    {
        string root = _directory.Combine("edge");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => InitializeAsync(root, "192.0.2.10", ["alice@example.com"]));

        Assert.Contains("is an IP address", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task WithoutAdministrators_TheAdminApplicationExistsWithNoPolicy_AndForceKeepsIt()
    {
        string root = _directory.Combine("edge");
        await InitializeAsync(root, "access.example.com", []);
        await InitializeAsync(root, "access.example.com", ["alice@example.com"], force: true);
        await InitializeAsync(root, "access.example.com", ["bob@example.com"], force: true);

        await using var store = await SqliteEdgeStore.OpenAsync(new EdgeDataDirectory(root).Database, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        Assert.NotNull(await store.GetAppAsync("access.example.com", CancellationToken.None));
        StoredPolicy policy = Assert.Single(await store.ListPoliciesAsync("access.example.com", CancellationToken.None));
        Assert.Equal(["email:bob@example.com"], policy.Include);
    }

    private static Task InitializeAsync(string root, string hostname, IReadOnlyList<string> administrators, bool force = false) =>
        EdgeInitializer.InitializeAsync(
            new EdgeInitOptions { DataDirectory = root, Hostname = hostname, Administrators = administrators, Force = force },
            TimeProvider.System, NullLogger.Instance, CancellationToken.None);
}
