namespace Drawbridge.EndToEnd.Tests.Identity;

/// <summary>
/// A user of the test OpenID Provider (<see cref="OidcProviderFixture"/>). The provider puts
/// <paramref name="Subject"/> in <c>sub</c>, and with the matching scopes
/// <c>email</c>/<c>email_verified</c>, <c>name</c> and <c>groups</c> in the ID token and userinfo.
/// The sign-in page takes <paramref name="Email"/> and <paramref name="Password"/>.
/// </summary>
internal sealed record OidcAccount(
    string Subject,
    string Email,
    string Password,
    string Name,
    IReadOnlyList<string> Groups,
    bool EmailVerified = true)
{
    /// <summary>alice@example.com, in the group "eng".</summary>
    public static OidcAccount Alice { get; } = new("alice", "alice@example.com", "alice-password", "Alice", ["eng"]);

    /// <summary>bob@example.com, in the group "sales".</summary>
    public static OidcAccount Bob { get; } = new("bob", "bob@example.com", "bob-password", "Bob", ["sales"]);
}
