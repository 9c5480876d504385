using System.Net;
using Drawbridge.Edge.Access;
using Drawbridge.Edge.Snapshots;
using Drawbridge.Protocol.Transport;
using Drawbridge.Tests.Edge.Storage;
using Microsoft.AspNetCore.Http;

namespace Drawbridge.Tests.Edge.Access;

/// <summary>
/// A client with no credential reaches an app only through a bypass policy that matches it (issue 3
/// item 4: Cloudflare's Bypass for a trusted network); a credential that was presented is never
/// downgraded to anonymous, and allow policies never admit anonymous clients.
/// </summary>
public sealed class AccessBypassTests : IAsyncLifetime
{
    private const string App = "wiki.example.com";
    private StoreUnderTest _scope = null!;

    public async Task InitializeAsync()
    {
        _scope = await StoreUnderTest.OpenAsync();
        await _scope.Store.CreateAppAsync(App, TimeSpan.FromHours(8), _scope.Token);
        await _scope.Store.AddPolicyAsync(App, "office", "bypass", 1, ["ip:10.1.0.0/16"], [], [], _scope.Token);
        await _scope.Store.AddPolicyAsync(App, "staff", "allow", 2, ["everyone"], [], [], _scope.Token);
    }

    public async Task DisposeAsync() => await _scope.DisposeAsync();

    [Fact]
    public async Task NoCredential_FromTheBypassedNetwork_IsAdmittedAsAnonymous_NamingThePolicy()
    {
        EdgeSnapshot snapshot = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);

        var (caller, decision) = AccessAuthenticator.Bypass(Headers(), IPAddress.Parse("10.1.2.3"), App, snapshot)!.Value;

        Assert.Equal("anonymous", caller.Identity);
        Assert.True(caller.Subject.IsAnonymous);
        Assert.Equal("office", decision.DecidedBy!.Name);
    }

    [Theory]
    [InlineData("10.2.0.1", null, null)] // outside the bypassed network: "allow everyone" is about users, not anonymous clients
    [InlineData("10.1.2.3", "Authorization", "Bearer not-a-token")] // a bad credential is refused, never downgraded
    [InlineData("10.1.2.3", "Cf-Access-Token", "x.y.z")]
    [InlineData("10.1.2.3", WireNames.ServiceTokenIdHeader, "0123.access")]
    [InlineData("10.1.2.3", "Cf-Access-Client-Secret", "s")]
    public async Task NoBypass_WhenOutsideTheNetwork_OrWhenACredentialWasPresented(string address, string? header, string? value)
    {
        EdgeSnapshot snapshot = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);
        IHeaderDictionary headers = header is null ? Headers() : Headers((header, value!));

        Assert.Null(AccessAuthenticator.Bypass(headers, IPAddress.Parse(address), App, snapshot));
    }

    [Fact]
    public async Task AHostnameWithoutAnApp_IsNeverBypassed()
    {
        EdgeSnapshot snapshot = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);

        Assert.Null(AccessAuthenticator.Bypass(Headers(), IPAddress.Parse("10.1.2.3"), "other.example.com", snapshot));
    }

    [Fact]
    public async Task RemovingTheBypass_EndsAnOpenAnonymousConnection()
    {
        EdgeSnapshot snapshot = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);
        var (caller, _) = AccessAuthenticator.Bypass(Headers(), IPAddress.Parse("10.1.2.3"), App, snapshot)!.Value;
        var connection = new OpenConnection(Guid.NewGuid(), App, caller, "10.1.2.3:5000", DateTimeOffset.UtcNow, (_, _) => { });
        Assert.Null(LiveEnforcement.Verdict(connection, snapshot));

        Guid office = (await _scope.Store.ListPoliciesAsync(App, _scope.Token)).Single(p => p.Name == "office").Id;
        await _scope.Store.DeletePolicyAsync(office, _scope.Token);
        EdgeSnapshot after = await EdgeSnapshot.LoadAsync(_scope.Store, _scope.Token);

        Assert.NotNull(LiveEnforcement.Verdict(connection, after));
    }

    private static IHeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request.Headers;
    }
}
