using Drawbridge.Client.Login;
using Drawbridge.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Drawbridge.Tests.Client.Login;

public sealed class TokenCacheTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Save_WritesTokenExpiryInUnixSecondsAndEmail()
    {
        using TempDirectory directory = TempDirectory.Create();
        var cache = new TokenCache(directory.Path, new FakeTimeProvider(Now));

        cache.Save("ssh.example.com", new CachedToken("eyJ.a.b", Now.AddHours(1), "zoë@example.com"));
        cache.Save("db.example.com", new CachedToken("eyJ.c.d", Now.AddHours(2), null));

        Assert.Equal("""{"token":"eyJ.a.b","expiresAt":1748782800,"email":"zo\u00EB@example.com"}""", File.ReadAllText(directory.Combine("ssh.example.com.json")));
        Assert.Equal("""{"token":"eyJ.c.d","expiresAt":1748786400,"email":null}""", File.ReadAllText(directory.Combine("db.example.com.json")));
    }

    [Fact]
    public void Load_ReadsWhatSaveWrote()
    {
        using TempDirectory directory = TempDirectory.Create();
        var cache = new TokenCache(directory.Path, new FakeTimeProvider(Now));
        var token = new CachedToken("eyJ.a.b", Now.AddHours(1), "zoë@example.com");

        cache.Save("ssh.example.com", token);

        Assert.Equal(token, cache.Load("ssh.example.com"));
    }
}
