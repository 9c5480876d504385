using System.Net;

namespace Drawbridge.Edge.Policies;

/// <summary>
/// One test a policy rule applies to an <see cref="AccessSubject"/>, from a closed set
/// (<see cref="SelectorKind"/>). Written <c>kind:value</c> on the command line, in the admin API
/// and in the store; <see cref="Parse"/> reads that form and <see cref="ToString"/> writes it
/// back in canonical form (ASCII lowercased where matching ignores case, CIDR ranges with their
/// host bits cleared). Each kind's matching rule is in POLICIES.md, "Selectors".
/// </summary>
internal sealed partial record Selector
{
    private Selector(SelectorKind kind, string value, IPNetwork? network)
    {
        Kind = kind;
        Value = value;
        Network = network;
    }

    public SelectorKind Kind { get; }

    /// <summary>The canonical value: empty for <c>everyone</c>, the CIDR text for an IP range.</summary>
    public string Value { get; }

    /// <summary>The range of an <see cref="SelectorKind.IpRange"/> selector; null for the other kinds.</summary>
    public IPNetwork? Network { get; }

    public static Selector Everyone { get; } = new(SelectorKind.Everyone, "", null);

    /// <summary><c>email:</c> one address; ASCII letters match in any case, other characters exactly.</summary>
    public static Selector Email(string address) => Create(SelectorKind.Email, address);

    /// <summary><c>email-domain:</c> addresses whose part after the last '@' is exactly this domain (no subdomains); a leading '@' is accepted.</summary>
    public static Selector EmailDomain(string domain) => Create(SelectorKind.EmailDomain, domain);

    /// <summary><c>group:</c> a group name exactly as the identity provider sends it (case-sensitive).</summary>
    public static Selector Group(string name) => Create(SelectorKind.Group, name);

    /// <summary><c>login-method:</c> the sign-in method id: <c>otp</c> or a configured identity provider's id.</summary>
    public static Selector LoginMethod(string id) => Create(SelectorKind.LoginMethod, id);

    /// <summary><c>ip:</c> an IPv4 or IPv6 CIDR range; a bare address is a /32 or /128.</summary>
    public static Selector IpRange(string cidr) => Create(SelectorKind.IpRange, cidr);

    /// <summary><c>service-token:</c> a service token by its name (exact) or its client id (any case).</summary>
    public static Selector ServiceToken(string nameOrClientId) => Create(SelectorKind.ServiceToken, nameOrClientId);

    /// <summary>True for the kinds only a signed-in user can match (Cloudflare Access calls them identity-based).</summary>
    public bool IsIdentityBased => Kind is SelectorKind.Email or SelectorKind.EmailDomain or SelectorKind.Group or SelectorKind.LoginMethod;

    /// <summary>Whether <paramref name="subject"/> has what this selector tests. A subject that lacks the attribute (a service token has no e-mail) does not match.</summary>
    public bool Matches(AccessSubject subject) => Kind switch
    {
        SelectorKind.Everyone => true,
        SelectorKind.Email => PolicyText.EqualsAsciiIgnoreCase(subject.Email, Value),
        SelectorKind.EmailDomain => PolicyText.EqualsAsciiIgnoreCase(subject.EmailDomain, Value),
        SelectorKind.Group => subject.Groups.Contains(Value),
        SelectorKind.LoginMethod => PolicyText.EqualsAsciiIgnoreCase(subject.LoginMethod, Value),
        SelectorKind.IpRange => Network!.Value.Contains(subject.ClientAddress),
        SelectorKind.ServiceToken => subject.IsServiceToken
            && (string.Equals(subject.ServiceTokenName, Value, StringComparison.Ordinal)
                || PolicyText.EqualsAsciiIgnoreCase(subject.ServiceTokenClientId, Value)),
        _ => false,
    };

    /// <summary>The <c>kind:value</c> form <see cref="Parse"/> reads, canonical.</summary>
    public override string ToString() => Kind == SelectorKind.Everyone ? EveryoneName : $"{KindName(Kind)}:{Value}";

    private static Selector Create(SelectorKind kind, string? value)
    {
        string text = value ?? "";
        if (TryCreate(kind, text, out var selector, out var problem))
        {
            return selector;
        }

        throw new PolicyFormatException(Problem($"{KindName(kind)}:{text}", problem));
    }
}
