using Drawbridge.Edge.Identity;

namespace Drawbridge.Tests.Edge.Identity;

public sealed class RedirectAndPkceTests
{
    [Theory]
    [InlineData("http://127.0.0.1:49152/callback")]
    [InlineData("http://127.0.0.1:1/")]
    [InlineData("http://127.8.9.10:5000/cb?x=1")]
    [InlineData("http://[::1]:8080/callback")]
    public void LoopbackRedirect_AcceptsHttpOnLoopbackLiterals(string uri)
    {
        Assert.True(LoopbackRedirect.TryParse(uri, out Uri? parsed, out string problem), problem);
        Assert.NotNull(parsed);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("https://127.0.0.1:5000/callback", "http://127.0.0.1")]
    [InlineData("http://evil.example/callback", "not a loopback")]
    [InlineData("http://localhost.evil.example:80/", "not a loopback")]
    [InlineData("http://10.0.0.1:80/", "not a loopback")]
    [InlineData("http://user:pw@127.0.0.1:80/", "user info")]
    [InlineData("http://127.0.0.1:80/#frag", "fragment")]
    [InlineData("javascript:alert(1)", "http://127.0.0.1")]
    [InlineData("/relative/path", "http://127.0.0.1")]
    public void LoopbackRedirect_RefusesAnythingThatCouldCarryTheCodeAway(string? uri, string expected)
    {
        Assert.False(LoopbackRedirect.TryParse(uri, out _, out string problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LoopbackRedirect_RefusesOversizedValues() =>
        Assert.False(LoopbackRedirect.TryParse("http://127.0.0.1:1/" + new string('a', 5000), out _, out _));

    [Theory]
    [InlineData("/_drawbridge/cli/authorize?app=db.test", "/_drawbridge/cli/authorize?app=db.test")]
    [InlineData("/", "/")]
    [InlineData(null, ReturnPath.Default)]
    [InlineData("", ReturnPath.Default)]
    [InlineData("//evil.example/", ReturnPath.Default)]
    [InlineData("/\\evil.example", ReturnPath.Default)]
    [InlineData("https://evil.example/", ReturnPath.Default)]
    [InlineData("evil.example", ReturnPath.Default)]
    [InlineData("/ok\r\nSet-Cookie: x=y", ReturnPath.Default)]
    [InlineData("/a\\b", ReturnPath.Default)]
    public void ReturnPath_OnlyPathsOnTheEdgeItself(string? value, string expected) =>
        Assert.Equal(expected, ReturnPath.Sanitize(value));

    [Fact]
    public void Pkce_S256ChallengeMatchesOnlyItsVerifier()
    {
        string verifier = Pkce.NewVerifier();
        string challenge = Pkce.Challenge(verifier);

        Assert.True(Pkce.IsValidVerifier(verifier));
        Assert.True(Pkce.IsValidChallenge(challenge));
        Assert.True(Pkce.Matches(verifier, challenge));
        Assert.False(Pkce.Matches(Pkce.NewVerifier(), challenge));
        Assert.False(Pkce.Matches(null, challenge));
    }

    [Fact]
    public void Pkce_ChallengeIsUnpaddedBase64UrlOfTheVerifiersSha256()
    {
        const string verifier = "dBjftJeZ4CVP-mJ92ZqdYi8V6qwBqEtL5KkFTQbOxh4";
        string expected = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(expected, Pkce.Challenge(verifier));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has space in it and is long enough to pass the length check!!")]
    [InlineData("ünicodeünicodeünicodeünicodeünicodeünicodeü")]
    public void Pkce_RefusesMalformedVerifiers(string verifier) => Assert.False(Pkce.IsValidVerifier(verifier));
}
