using System.Collections.Frozen;
using System.Net;

namespace Drawbridge.Edge.Policies;

/// <summary>
/// Who is asking for an app, as policies see them. Exactly one of three shapes, made by the
/// factories: a signed-in <see cref="User"/> (e-mail, groups and login method from the
/// identity provider), a <see cref="ServiceToken"/> (a machine; no e-mail, no groups), or an
/// <see cref="Anonymous"/> client (no credential: only a bypass policy can admit it).
/// The client address is kept with IPv4-mapped IPv6 addresses (<c>::ffff:10.1.2.3</c>, what a
/// dual-stack socket reports) turned back into IPv4, so they match <c>ip:</c> IPv4 ranges.
/// </summary>
internal sealed record AccessSubject
{
    private AccessSubject(string? email, IReadOnlySet<string> groups, string? loginMethod, IPAddress clientAddress, string? serviceTokenName, string? serviceTokenClientId)
    {
        ArgumentNullException.ThrowIfNull(clientAddress);
        Email = email;
        Groups = groups;
        LoginMethod = loginMethod;
        ClientAddress = clientAddress.IsIPv4MappedToIPv6 ? clientAddress.MapToIPv4() : clientAddress;
        ServiceTokenName = serviceTokenName;
        ServiceTokenClientId = serviceTokenClientId;
    }

    /// <summary>The verified e-mail address of a user; null for service tokens and anonymous clients.</summary>
    public string? Email { get; }

    /// <summary>The user's groups from the identity provider's claims, compared exactly; empty for others.</summary>
    public IReadOnlySet<string> Groups { get; }

    /// <summary>How the user signed in: <c>otp</c> or an identity provider's id; null when unknown or not a user.</summary>
    public string? LoginMethod { get; }

    public IPAddress ClientAddress { get; }

    public string? ServiceTokenName { get; }

    public string? ServiceTokenClientId { get; }

    public bool IsServiceToken => ServiceTokenName is not null;

    public bool IsUser => Email is not null;

    public bool IsAnonymous => !IsServiceToken && !IsUser;

    /// <summary>The part of <see cref="Email"/> after its last '@', or null.</summary>
    public string? EmailDomain => Email is { } email && email.LastIndexOf('@') is var at and >= 0 ? email[(at + 1)..] : null;

    public static AccessSubject User(string email, IEnumerable<string>? groups, string? loginMethod, IPAddress clientAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(email);
        var groupSet = (groups ?? []).Where(g => !string.IsNullOrEmpty(g)).ToFrozenSet(StringComparer.Ordinal);
        return new AccessSubject(email, groupSet, string.IsNullOrEmpty(loginMethod) ? null : loginMethod, clientAddress, null, null);
    }

    /// <summary>A service token that authenticated; <paramref name="clientId"/> lets <c>service-token:</c> name it by client id too.</summary>
    public static AccessSubject ServiceToken(string name, string? clientId, IPAddress clientAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new AccessSubject(null, FrozenSet<string>.Empty, null, clientAddress, name, string.IsNullOrEmpty(clientId) ? null : clientId);
    }

    public static AccessSubject Anonymous(IPAddress clientAddress) =>
        new(null, FrozenSet<string>.Empty, null, clientAddress, null, null);

    /// <summary>The subject in a sentence: <c>alice@example.com</c>, <c>service token 'ci'</c>, <c>an anonymous client at 203.0.113.7</c>.</summary>
    public string Describe() =>
        IsServiceToken ? $"service token '{PolicyText.Shown(ServiceTokenName!)}'"
        : IsUser ? PolicyText.Shown(Email!)
        : $"an anonymous client at {ClientAddress}";
}
