using Drawbridge.Edge.Storage;

namespace Drawbridge.Tests.Edge.Storage;

public sealed class RouteHostnameTests : IAsyncLifetime
{
    private StoreUnderTest _scope = null!;

    public static TheoryData<string, string> HostileHostnames => new()
    {
        { "", "is empty" },
        { "has space.example.com", "has characters other than a-z, 0-9, '-' and '.'" },
        { "bücher.example.com", "use the punycode (xn--) form" },
        { "db.example.com\u0000", "has characters other than" },
        { new string('a', 300), "is 300 characters long: a DNS name has at most 253" },
        { new string('a', 64) + ".example.com", "has a label of 64 characters" },
        { "-a.com", "has a label that starts or ends with '-'" },
        { "a-.com", "has a label that starts or ends with '-'" },
        { "a..com", "has an empty label" },
        { ".a.com", "has an empty label" },
        { "a.com.", "has an empty label" },
        { "*.example.com", "has characters other than" },
        { "a_b.example.com", "has characters other than" },
        { "db.example.com:443", "has characters other than" },
        { "127.0.0.1", "is an IP address" },
        { "x'; DROP TABLE routes; --", "has characters other than" },
    };

    public async Task InitializeAsync() => _scope = await StoreUnderTest.OpenAsync();

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Theory]
    [MemberData(nameof(HostileHostnames))]
    public async Task AddRoute_RefusesHostileHostnames_NamingTheField(string hostname, string expected)
    {
        var tunnel = await _scope.Store.CreateTunnelAsync("t", StoreUnderTest.NewHash(), _scope.Token);

        var ex = await Assert.ThrowsAsync<StoreValidationException>(() => _scope.Store.AddRouteAsync(hostname, tunnel.Id, _scope.Token));

        Assert.StartsWith("hostname:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 300, "the message echoes at most a little of the input");
        Assert.Empty(await _scope.Store.ListRoutesAsync(tunnelId: null, _scope.Token));
    }

    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData("DB.Example.Com", "db.example.com")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("a-b.c-d.example", "a-b.c-d.example")]
    [InlineData("1password.example", "1password.example")]
    public void Normalize_AcceptsDnsNamesInLowercase(string hostname, string expected)
    {
        Assert.Equal(expected, RouteHostname.Normalize(hostname));
    }

    [Fact]
    public void Normalize_AcceptsTheLongestLegalName()
    {
        // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters.
        var longest = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));

        Assert.Equal(253, RouteHostname.Normalize(longest).Length);
        Assert.Throws<StoreValidationException>(() => RouteHostname.Normalize(longest + "d"));
    }
}
