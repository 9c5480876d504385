namespace Drawbridge.Edge.Policies;

/// <summary>The closed set of things a <see cref="Selector"/> can test (POLICIES.md, "Selectors").</summary>
internal enum SelectorKind
{
    /// <summary><c>everyone</c>: every subject.</summary>
    Everyone,

    /// <summary><c>email:alice@example.com</c>: one address.</summary>
    Email,

    /// <summary><c>email-domain:example.com</c>: every address at exactly that domain.</summary>
    EmailDomain,

    /// <summary><c>group:eng</c>: a group the identity provider put in the user's claims.</summary>
    Group,

    /// <summary><c>login-method:otp</c>: how the user signed in (one-time PIN or an identity provider's id).</summary>
    LoginMethod,

    /// <summary><c>ip:10.0.0.0/8</c>: the client's address is in the range.</summary>
    IpRange,

    /// <summary><c>service-token:ci</c>: a service token, by name or client id.</summary>
    ServiceToken,
}
